import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { oneTo, sequencesOf } from "../support/api";
import { reply, toolUse, type RecordedRequest } from "../support/fakeAnthropic";
import { commitAll, createGitRepository } from "../support/git";
import { useClaudeRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

const { fake, fixture } = await useClaudeRuntime();

// The check is a script of the repository's: it must arrive in the sandbox still executable.
const CHECKS = "checks:\n  - name: test\n    run: ./run-tests.sh\ntimeoutSeconds: 60\n";
const TEST = [
  'import { test } from "node:test";',
  'import assert from "node:assert/strict";',
  'import { add } from "./add.mjs";',
  'test("adds", () => assert.equal(add(2, 3), 5));',
  "",
].join("\n");

/** A real repository with a real test of code that does not exist yet, and its checks file. */
async function repositoryWithATest(): Promise<string> {
  const root = await createGitRepository();
  await mkdir(path.join(root, ".amelia"));
  await writeFile(path.join(root, ".amelia/checks.yml"), CHECKS);
  await writeFile(path.join(root, "add.test.mjs"), TEST);
  await writeFile(path.join(root, "run-tests.sh"), "#!/bin/sh\nexec node --test\n", {
    mode: 0o755,
  });
  commitAll(root, "A test");
  return root;
}

function lastUserText(request: RecordedRequest): string {
  return JSON.stringify(request.body.messages.at(-1));
}

describe("checks between the developer and the reviewer", () => {
  it("a change that fails the repository's test goes back to the developer, is fixed, passes and is approved", async () => {
    const repository = await repositoryWithATest();
    fake.script(
      "architect",
      reply(
        toolUse("submit_plan", {
          plan: "# Plan\n\n1. Write add() in add.mjs.\n\n## Checks\n- test",
        }),
      ),
    );
    fake.script(
      "developer",
      // Round 1: a wrong implementation.
      reply(
        toolUse("create_file", {
          path: "add.mjs",
          content: "export const add = (a, b) => a - b;\n",
        }),
        toolUse("finish", { summary: "Wrote add()." }),
      ),
      // Round 2: told of the failure, it fixes it.
      reply(
        toolUse("edit_file", { path: "add.mjs", old_text: "a - b", new_text: "a + b" }),
        toolUse("finish", { summary: "Fixed add()." }),
      ),
    );
    fake.script(
      "reviewer",
      reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] })),
    );

    const created = await fixture.api.create({
      issueId: "CHECKS-1",
      title: "Add add()",
      repository,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await fixture.api.waitForStatus(id, "blocked");
    expect(ofType(await fixture.api.events(id), "plan_created")).toHaveLength(1);
    // The architect was told which checks will run.
    expect(lastUserText(fake.requestsOf("architect")[0]!)).toContain("- test");
    expect((await fixture.api.approve(id)).status).toBe(200);

    const done = await fixture.api.waitForStatus(id, "completed", 90_000);
    const events = await fixture.api.events(id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    const rounds = ofType(events, "checks_completed").map((e) => ({
      round: e.data.round,
      passed: e.data.passed,
    }));
    expect(rounds).toEqual([
      { round: 1, passed: false },
      { round: 2, passed: true },
    ]);
    const [failed] = ofType(events, "check_completed");
    expect(failed?.data).toMatchObject({
      name: "test",
      command: "./run-tests.sh",
      timedOut: false,
    });
    expect(failed?.data.exitCode).not.toBe(0);
    expect(failed?.data.output).toMatch(/fail 1/);
    expect(ofType(events, "checks_started")[0]?.data).toMatchObject({
      checks: ["test"],
      source: "file",
      sandbox: "bubblewrap",
    });

    // The developer's second round was given the failure; the reviewer saw the checks pass.
    const [, second] = fake.requestsOf("developer");
    expect(lastUserText(second!)).toContain("The repository's checks failed on your last round");
    expect(lastUserText(second!)).toContain("fail 1");
    expect(lastUserText(fake.requestsOf("reviewer")[0]!)).toContain(
      "Checks of this round: all passed",
    );
    expect(ofType(events, "review_completed")).toHaveLength(1);
    expect(done.checks).toMatchObject({ round: 2, passed: true });

    // The whole log of the failing check, over HTTP.
    const log = await fetch(
      `${fixture.runtime.url}/api/workflows/${id}/checks/${failed!.data.runId}/${failed!.data.index}/log`,
    );
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await log.text()).toContain("AssertionError");
  });
});
