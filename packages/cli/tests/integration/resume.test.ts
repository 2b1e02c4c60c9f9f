import { beforeEach, describe, expect, it } from "vitest";
import { apiError, reply, toolUse } from "../../../../tests/support/fakeAnthropic";
import { useClaudeRuntime } from "../../../../tests/support/runtime";
import { cancelAllActive, ofType } from "../../../../tests/support/workflows";
import { runCli } from "../support/cli";

// Claude agents against the fake Messages API: a refused request fails the stage at once.
const { fake, fixture } = await useClaudeRuntime({ AMELIA_ANTHROPIC_STREAMING: "false" });
const amelia = (args: string[]) => runCli(args, { env: { AMELIA_API_URL: fixture.runtime.url } });

beforeEach(async () => {
  await cancelAllActive(fixture.api);
  fake.reset();
});

async function failedAtArchitect(issueId: string): Promise<string> {
  fake.script("architect", apiError(400, "invalid_request_error", "Bad request"));
  const created = await fixture.api.create({ issueId, title: "Resume me" });
  expect(created.status).toBe(201);
  const failed = await fixture.api.waitForStatus(created.body.id, "failed");
  expect(failed.stage).toBe("architect");
  return created.body.id;
}

describe("amelia resume", () => {
  it("continues a failed workflow from the stage that failed", async () => {
    const id = await failedAtArchitect("CLI-RESUME-1");
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan\n\n1. Resume." })));

    const { code, stdout, stderr } = await amelia(["resume", id]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(id);

    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe("# Plan\n\n1. Resume.");
    expect(ofType(await fixture.api.events(id), "workflow_resumed")).toHaveLength(1);
  });

  it("--json prints the resumed workflow only", async () => {
    const id = await failedAtArchitect("CLI-RESUME-2");
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan" })));
    const { code, stdout } = await amelia(["resume", id, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id, status: "in_progress" });
  });

  it("refuses a workflow that has not failed with the server's code, exit 1, nothing changed", async () => {
    const id = await failedAtArchitect("CLI-RESUME-3");
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan" })));
    expect((await amelia(["resume", id])).code).toBe(0);
    await fixture.api.waitForStatus(id, "blocked");
    const before = await fixture.api.events(id);

    const again = await amelia(["resume", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("INVALID_STATE");
    expect(await fixture.api.events(id)).toEqual(before);
  });

  it("names an unknown workflow (exit 1, NOT_FOUND)", async () => {
    const { code, stderr } = await amelia(["resume", "no-such-workflow"]);
    expect(code).toBe(1);
    expect(stderr).toContain("NOT_FOUND");
  });
});
