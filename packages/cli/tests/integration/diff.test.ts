import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { WorkflowDiff } from "@amelia/client";
import { beforeAll, describe, expect, it } from "vitest";
import { demoDocumentPath } from "../../../core/src/agents/DemoDriver";
import { commitAll, createGitRepository, gitOutput } from "../../../../tests/support/git";
import { useTestRuntime } from "../../../../tests/support/runtime";
import { createAtPlanGate } from "../../../../tests/support/workflows";
import { runCli } from "../support/cli";

const fixture = useTestRuntime();
const amelia = (args: string[]) => runCli(args, { env: { AMELIA_API_URL: fixture.runtime.url } });

const ISSUE_ID = "CLI-DIFF-1";

/** A demo workflow on a real repository, run to completion: two developer rounds. */
let repository: string;
let id: string;

beforeAll(async () => {
  repository = await createGitRepository();
  // The demo developer rewrites this file: a modification, whose context lines must match.
  const document = path.join(repository, demoDocumentPath(ISSUE_ID));
  await mkdir(path.dirname(document), { recursive: true });
  await writeFile(document, "# Notes\n\nWritten before the workflow.\n");
  commitAll(repository, "Notes");
  const workflow = await createAtPlanGate(fixture.api, {
    issueId: ISSUE_ID,
    title: "Greet users",
    repository,
  });
  id = workflow.id;
  expect((await fixture.api.approve(id)).status).toBe(200);
  await fixture.api.waitForStatus(id, "completed");
});

/** A checkout of the base commit, in a directory of its own. */
async function checkoutOf(commit: string): Promise<string> {
  const checkout = path.join(await mkdtemp(path.join(tmpdir(), "amelia-base-")), "checkout");
  execFileSync("git", ["worktree", "add", "-q", "--detach", checkout, commit], {
    cwd: repository,
  });
  return checkout;
}

async function diffJson(...args: string[]): Promise<WorkflowDiff> {
  const { code, stdout } = await amelia(["diff", id, "--json", ...args]);
  expect(code).toBe(0);
  return JSON.parse(stdout) as WorkflowDiff;
}

describe("amelia diff", () => {
  it("piped, applies with git apply on the base commit and gives the round's tree", async () => {
    const answer = await diffJson();
    for (const round of answer.rounds) {
      const { baseCommit, commit } = await diffJson("--round", String(round));
      const { code, stdout, stderr } = await amelia(["diff", id, "--round", String(round)]);
      expect(code).toBe(0);
      expect(stderr).not.toContain("warning");
      expect(stdout).toMatch(/^diff --git /);
      // Piped: no colours.
      expect(stdout).not.toContain("\u001b[");

      const checkout = await checkoutOf(baseCommit);
      execFileSync("git", ["apply", "--index"], { cwd: checkout, input: stdout });
      expect(gitOutput(checkout, "diff", "--cached", "--stat", commit)).toBe("");
      expect(gitOutput(checkout, "write-tree")).toBe(
        gitOutput(repository, "rev-parse", `${commit}^{tree}`),
      );
    }
  });

  it("--json: the API's answer, the latest of the demo's two rounds", async () => {
    const answer = await diffJson();
    expect(answer).toMatchObject({
      workflowId: id,
      round: 2,
      rounds: [1, 2],
      truncated: false,
      totals: { files: 1 },
    });
    expect(answer.files).toEqual([
      expect.objectContaining({ path: demoDocumentPath(ISSUE_ID), status: "modified" }),
    ]);
    expect(answer.baseCommit).toBe(gitOutput(repository, "rev-parse", "main"));
    expect(answer.commit).toBe(gitOutput(repository, "rev-parse", `amelia/${ISSUE_ID}`));
  });

  it("--stat: the file and git's totals line, with the API's counts", async () => {
    const { totals, files } = await diffJson();
    const { code, stdout } = await amelia(["diff", id, "--stat"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^ modified  ${files[0]!.path} \\| +${totals.additions + totals.deletions} \\+*-*$`,
      ),
    );
    expect(lines.at(-1)).toBe(
      ` 1 file changed, ${totals.additions} insertions(+), ${totals.deletions} deletions(-)`,
    );
  });

  it("a round that did not finish: the server's VALIDATION_ERROR, exit 1", async () => {
    const { code, stdout, stderr } = await amelia(["diff", id, "--round", "9"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error VALIDATION_ERROR: .*round 9/);
  });

  it("a round that is not a positive integer: a usage error, exit 2", async () => {
    const { code, stderr } = await amelia(["diff", id, "--round", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain('error USAGE_ERROR: The round "0" must be a positive integer');
  });

  it("an unknown id: NOT_FOUND, exit 1", async () => {
    const { code, stdout, stderr } = await amelia(["diff", "nope"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("error NOT_FOUND: Workflow nope not found\n");
  });
});

describe("amelia status <id>", () => {
  it("shows the latest round's totals", async () => {
    const { totals } = await diffJson();
    const { code, stdout } = await amelia(["status", id]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `Changes     1 file, +${totals.additions} −${totals.deletions} (round 2)  amelia diff ${id}`,
    );
  });

  it("before the developer committed: no changes in status, INVALID_STATE from diff", async () => {
    const planned = await createAtPlanGate(fixture.api, { issueId: "CLI-DIFF-2", repository });
    const shown = await amelia(["status", planned.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("blocked (plan gate)");
    expect(shown.stdout).not.toContain("Changes");

    const { code, stderr } = await amelia(["diff", planned.id]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error INVALID_STATE: .*no changes yet/);
    await fixture.api.cancel(planned.id);
  });
});
