import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../../core/src/events/types";
import { oneTo, sequencesOf } from "../../../../tests/support/api";
import { createGitRepository } from "../../../../tests/support/git";
import { useTestRuntime } from "../../../../tests/support/runtime";
import { cancelAllActive, createAtPlanGate, sleep } from "../../../../tests/support/workflows";
import { killRunningClis, runCli, spawnCli } from "../support/cli";

const fixture = useTestRuntime();
const env = () => ({ AMELIA_API_URL: fixture.runtime.url });

beforeEach(() => cancelAllActive(fixture.api));
afterEach(killRunningClis);

function parseRecords(stdout: string): WorkflowEvent[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as WorkflowEvent);
}

describe("start --follow", () => {
  it("prints the id, then every event up to the plan gate, and exits 0 there", async () => {
    const { code, stdout, stderr } = await runCli(["start", "FOLLOW-1", "--follow", "--no-repo"], {
      env: env(),
    });
    expect(code).toBe(0);
    const [id, ...lines] = stdout.trim().split("\n");
    const workflow = (await fixture.api.get(id!)).body;
    expect(workflow).toMatchObject({ status: "blocked", gate: "plan" });
    const events = await fixture.api.events(id!);
    // Nothing after the gate happened yet: the printed events are the whole log.
    expect(lines.filter((line) => /^\s+\d+ {2}/.test(line)).length).toBe(events.length);
    expect(lines.at(-1)).toMatch(/^\s+\d+ {2}.*approval_required/);
    expect(stderr).toContain(`Waiting at the plan gate: amelia approve ${id}`);
  });

  it("--json: the workflow, then the events as NDJSON", async () => {
    const { code, stdout } = await runCli(
      ["start", "FOLLOW-2", "--follow", "--no-repo", "--json"],
      { env: env() },
    );
    expect(code).toBe(0);
    const [workflow, ...events] = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(workflow).toMatchObject({ issueId: "FOLLOW-2" });
    expect(events).toEqual(await fixture.api.events(workflow.id));
    expect(events.at(-1).type).toBe("approval_required");
  });
});

describe("logs --follow", () => {
  it("prints each sequence 1..n exactly once across forced WebSocket drops, and exits 0 at the end", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FOLLOW-DROP" });
    const atGate = (await fixture.api.events(workflow.id)).length;
    const cli = spawnCli(["logs", workflow.id, "--follow", "--json"], { env: env() });
    await cli.waitForOutput((stdout) => stdout.trim().split("\n").length >= atGate);
    // Subscribed (the backfill came over HTTP, so wait for the socket before cutting it).
    let dropped = 0;
    while (dropped === 0) {
      dropped = fixture.runtime.dropWebSockets();
      await sleep(20);
    }

    // The workflow runs on while the CLI is cut off, and is cut off again while it runs.
    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    let status = "in_progress";
    while (status !== "completed") {
      dropped += fixture.runtime.dropWebSockets();
      await sleep(150);
      status = (await fixture.api.get(workflow.id)).body.status;
    }
    const { code, stdout, stderr } = await cli.exited;
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(dropped).toBeGreaterThanOrEqual(2);

    const stored = await fixture.api.events(workflow.id);
    const printed = parseRecords(stdout);
    expect(sequencesOf(printed)).toEqual(oneTo(stored.length));
    expect(printed).toEqual(stored);
    expect(printed.at(-1)!.type).toBe("workflow_completed");
  });

  it("says it is reconnecting after a drop, in human output", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FOLLOW-NOTE" });
    const cli = spawnCli(["logs", workflow.id, "--follow"], { env: env() });
    await cli.waitForOutput((stdout) => stdout.includes("approval_required"));
    while (fixture.runtime.dropWebSockets() === 0) await sleep(20);
    await cli.waitForOutput((_, stderr) => /Connection lost; reconnecting in \d+ ms/.test(stderr));
    await fixture.api.approve(workflow.id);
    const { code, stdout } = await cli.exited;
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/workflow_completed/);
  });

  it("stops on Ctrl+C (SIGINT) with exit 130, the workflow untouched", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FOLLOW-SIGINT" });
    const cli = spawnCli(["logs", workflow.id, "--follow"], { env: env() });
    await cli.waitForOutput((stdout) => stdout.includes("approval_required"));
    cli.child.kill("SIGINT");
    expect((await cli.exited).code).toBe(130);
    expect((await fixture.api.get(workflow.id)).body.status).toBe("blocked");
  });

  it("exits 5 when the followed workflow is cancelled", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FOLLOW-CANCEL" });
    const cli = spawnCli(["logs", workflow.id, "--follow"], { env: env() });
    await cli.waitForOutput((stdout) => stdout.includes("approval_required"));
    await runCli(["cancel", workflow.id], { env: env() });
    const { code, stdout } = await cli.exited;
    expect(code).toBe(5);
    expect(stdout).toMatch(/workflow_cancelled/);
    // Already over: the history says so, no waiting.
    expect((await runCli(["logs", workflow.id, "--follow"], { env: env() })).code).toBe(5);
  });

  it("exits 4 when the followed workflow fails", async () => {
    const repository = await createGitRepository();
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FOLLOW-FAIL", repository });
    const cli = spawnCli(["logs", workflow.id, "--follow"], { env: env() });
    await cli.waitForOutput((stdout) => stdout.includes("approval_required"));
    // The developer cannot open a repository that is gone: every attempt fails.
    await rm(repository, { recursive: true, force: true });
    await fixture.api.approve(workflow.id);
    const { code, stdout } = await cli.exited;
    expect(code).toBe(4);
    expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/workflow_failed/);
  });
});
