import { describe, expect, it } from "vitest";
import { useTestRuntime } from "../../../../tests/support/runtime";
import { createAtPlanGate } from "../../../../tests/support/workflows";
import { runCli, spawnCli } from "../support/cli";

const TOKEN = "cli-test-token-8d1f2c";
const fixture = useTestRuntime({ apiToken: TOKEN });

describe("a server with an API token", () => {
  // The server answers as API Gateway does (401/403 with {"message"}); the CLI's hint for those
  // answers belongs to the CLI's own change, which brings back the hint assertions.
  it("without AMELIA_API_TOKEN: API Gateway's 401, exit 1", async () => {
    const { code, stderr } = await runCli(["status"], {
      env: { AMELIA_API_URL: fixture.runtime.url },
    });
    expect(code).toBe(1);
    expect(stderr).toContain("HTTP 401");
  });

  it("with a wrong token: API Gateway's 403 on HTTP, and the token is never printed", async () => {
    const wrong = "wrong-token-5e7a";
    const { code, stdout, stderr } = await runCli(["status", "--json"], {
      env: { AMELIA_API_URL: fixture.runtime.url, AMELIA_API_TOKEN: wrong },
    });
    expect(code).toBe(1);
    expect(JSON.parse(stderr).error).toContain("HTTP 403");
    expect(`${stdout}${stderr}`).not.toContain(wrong);
  });

  it("with the token: HTTP as Bearer and the WebSocket with ?token= both work", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "AUTH-CLI" });
    const env = { AMELIA_API_URL: fixture.runtime.url, AMELIA_API_TOKEN: TOKEN };
    const following = spawnCli(["logs", workflow.id, "--follow", "--json"], { env });
    await following.waitForOutput((stdout) => stdout.includes('"approval_required"'));
    // Everything after this point can only arrive over the WebSocket.
    const approved = await runCli(["approve", workflow.id], { env });
    expect(approved.code).toBe(0);
    const { code, stdout, stderr } = await following.exited;
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).sequence),
    ).toEqual((await fixture.api.events(workflow.id)).map((e) => e.sequence));
    expect(`${stdout}${stderr}`).not.toContain(TOKEN);
  });
});
