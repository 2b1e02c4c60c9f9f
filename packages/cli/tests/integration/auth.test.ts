import { describe, expect, it } from "vitest";
import { useTestRuntime } from "../../../../tests/support/runtime";
import { createAtPlanGate } from "../../../../tests/support/workflows";
import { runCli, spawnCli } from "../support/cli";

const TOKEN = "cli-test-token-8d1f2c";
const fixture = useTestRuntime({ apiToken: TOKEN });

describe("a server with an API token", () => {
  // The server answers as API Gateway does: 401 {"message"} without a token, 403 with a wrong one.
  it("without AMELIA_API_TOKEN: API Gateway's 401 → UNAUTHORIZED, exit 1, and a hint to set it", async () => {
    const { code, stderr } = await runCli(["status"], {
      env: { AMELIA_API_URL: fixture.runtime.url },
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error UNAUTHORIZED: A valid API token is required (the API gateway answered 401 Unauthorized)\n" +
        "The server needs a token: set AMELIA_API_TOKEN.\n",
    );
  });

  it("with a wrong token: API Gateway's 403 → UNAUTHORIZED, and the token is never printed", async () => {
    const wrong = "wrong-token-5e7a";
    const { code, stdout, stderr } = await runCli(["status", "--json"], {
      env: { AMELIA_API_URL: fixture.runtime.url, AMELIA_API_TOKEN: wrong },
    });
    expect(code).toBe(1);
    expect(JSON.parse(stderr)).toMatchObject({
      code: "UNAUTHORIZED",
      error: "A valid API token is required (the API gateway answered 403 Forbidden)",
    });
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
