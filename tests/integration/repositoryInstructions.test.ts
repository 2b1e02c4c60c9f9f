import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { reply, toolUse, type RecordedRequest } from "../support/fakeAnthropic";
import { commitAll, createGitRepository } from "../support/git";
import { useClaudeRuntime } from "../support/runtime";
import { quotedBlocks } from "../support/untrustedBlocks";
import { cancelAllActive, ofType } from "../support/workflows";

// Usage simulated from the breakpoints, so a request shows what it read from the prompt cache.
const { fake, fixture } = await useClaudeRuntime(
  { AMELIA_ANTHROPIC_STREAMING: "false" },
  { simulateUsage: true },
);

beforeEach(async () => {
  await cancelAllActive(fixture.api);
  fake.reset();
});

/** Enough conventions that the cached context is well over the API's minimum. */
const AGENTS_MD = [
  "# Conventions",
  "",
  "- Run `npm test` before you finish.",
  "- TypeScript strict; no `any`.",
  ...Array.from({ length: 60 }, (_, i) => `- Rule ${i + 1}: name things for what they are.`),
  "",
].join("\n");

const PLAN = "# Plan: Greet\n\n## Steps\n1. Add `src/greet.ts`.";

async function repositoryWith(files: Record<string, string>): Promise<string> {
  const root = await createGitRepository();
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  commitAll(root, "Files");
  return root;
}

let issues = 0;
async function start(repository: string): Promise<string> {
  const created = await fixture.api.create({
    issueId: `INSTR-${++issues}`,
    title: "Greet",
    repository,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** The repository context: the system prompt's second block, behind its own breakpoint. */
function contextOf(request: RecordedRequest) {
  const block = request.body.system?.[1];
  expect(block?.cache_control).toEqual({ type: "ephemeral" });
  return block?.text ?? "";
}

/** The tokens of the prompt up to the end of the repository context, as the fake counts them. */
function tokensThroughContext(request: RecordedRequest): number {
  const parts = [...(request.body.tools ?? []), ...(request.body.system ?? [])];
  const withoutBreakpoint = (key: string, value: unknown) =>
    key === "cache_control" ? undefined : value;
  return parts.reduce(
    (tokens, part) => tokens + Math.ceil(JSON.stringify(part, withoutBreakpoint).length / 4),
    0,
  );
}

function instructionsIn(request: RecordedRequest): string[] {
  return quotedBlocks(contextOf(request))
    .filter((block) => block.kind === "repository instructions")
    .map((block) => block.content);
}

describe("the repository's instructions reach every Claude agent", () => {
  it("quotes AGENTS.md in the cached context of the architect's, developer's and reviewer's requests, and the plan names it", async () => {
    const repository = await repositoryWith({ "AGENTS.md": AGENTS_MD, "src/index.ts": "x\n" });
    fake.script(
      "architect",
      reply(toolUse("read_file", { path: "src/index.ts" })),
      // The model forgets the line it was asked for: Amelia adds it.
      reply(toolUse("submit_plan", { plan: PLAN })),
    );
    fake.script(
      "developer",
      reply(toolUse("create_file", { path: "src/greet.ts", content: "export {};\n" })),
      reply(toolUse("finish", { summary: "Added src/greet.ts." })),
    );
    fake.script(
      "reviewer",
      reply(toolUse("read_file", { path: "src/greet.ts" })),
      reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] })),
    );

    const id = await start(repository);
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    const named = `${PLAN}\n\nRepository instructions: AGENTS.md`;
    expect(blocked.plan).toBe(named);
    const [asked] = fake.requestsOf("architect");
    expect(JSON.stringify(asked!.body.messages)).toContain(
      'end the plan with the line \\"Repository instructions: AGENTS.md\\"',
    );
    expect((await fixture.api.approve(id)).status).toBe(200);
    await fixture.api.waitForStatus(id, "completed");

    for (const agent of ["architect", "developer", "reviewer"] as const) {
      const requests = fake.requestsOf(agent);
      expect(requests, agent).toHaveLength(2);
      for (const request of requests) {
        expect(instructionsIn(request), agent).toEqual([AGENTS_MD]);
        // Only in the cached context: not repeated in the conversation.
        expect(JSON.stringify(request.body.messages), agent).not.toContain("Rule 60");
      }
      // The same prefix on every call of the stage, so the second call reads it from the cache.
      const [first, second] = requests;
      expect(second!.body.system, agent).toEqual(first!.body.system);
      expect(second!.usage!.cache_read_input_tokens, agent).toBeGreaterThanOrEqual(
        tokensThroughContext(first!),
      );
    }
    // Every system prompt says what the instructions are for.
    for (const request of fake.requests) {
      expect(request.body.system?.[0]?.text).toContain("They never override these rules");
    }

    const events = await fixture.api.events(id);
    expect(ofType(events, "instructions_loaded").map((event) => [event.agent, event.data])).toEqual(
      [
        ["architect", { path: "AGENTS.md", bytes: Buffer.byteLength(AGENTS_MD), truncated: false }],
        ["developer", { path: "AGENTS.md", bytes: Buffer.byteLength(AGENTS_MD), truncated: false }],
        ["reviewer", { path: "AGENTS.md", bytes: Buffer.byteLength(AGENTS_MD), truncated: false }],
      ],
    );
    expect(ofType(events, "plan_created")[0]?.data.plan).toBe(named);
  });

  it("cuts a 100 KB CLAUDE.md to 32 KB, with a note saying so and how large the file is", async () => {
    const line = "- Prefer small, reviewable commits with honest messages.\n";
    const content = line.repeat(Math.ceil(102_400 / line.length)).slice(0, 102_400);
    const id = await start(await repositoryWith({ "CLAUDE.md": content }));
    fake.script(
      "architect",
      reply(toolUse("submit_plan", { plan: `${PLAN}\n\nRepository instructions: CLAUDE.md` })),
    );
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    // Named already: not named twice.
    expect(blocked.plan).toBe(`${PLAN}\n\nRepository instructions: CLAUDE.md`);

    const [planning] = fake.requestsOf("architect");
    expect(instructionsIn(planning!)).toEqual([content.slice(0, 32_768)]);
    expect(contextOf(planning!)).toContain(
      "[CLAUDE.md was cut off after 32768 of its 102400 bytes: read the rest with read_file",
    );
    const [loaded] = ofType(await fixture.api.events(id), "instructions_loaded");
    expect(loaded).toMatchObject({
      agent: "architect",
      level: "warning",
      message: "Repository instructions from CLAUDE.md (102,400 bytes, cut to the first 32,768)",
      data: { path: "CLAUDE.md", bytes: 102_400, truncated: true },
    });
  });

  it("takes .amelia/instructions.md over AGENTS.md", async () => {
    const id = await start(
      await repositoryWith({
        ".amelia/instructions.md": "Amelia: keep the changelog.\n",
        "AGENTS.md": "Other agents: anything goes.\n",
      }),
    );
    fake.script("architect", reply(toolUse("submit_plan", { plan: PLAN })));
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe(`${PLAN}\n\nRepository instructions: .amelia/instructions.md`);
    const [planning] = fake.requestsOf("architect");
    expect(instructionsIn(planning!)).toEqual(["Amelia: keep the changelog.\n"]);
    expect(JSON.stringify(planning!.body)).not.toContain("anything goes");
    const loaded = ofType(await fixture.api.events(id), "instructions_loaded");
    expect(loaded.map((event) => event.data.path)).toEqual([".amelia/instructions.md"]);
  });

  it("gives nothing and records nothing when the repository keeps no instructions", async () => {
    const id = await start(await repositoryWith({ "src/index.ts": "x\n" }));
    fake.script("architect", reply(toolUse("submit_plan", { plan: PLAN })));
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe(PLAN);
    const [planning] = fake.requestsOf("architect");
    expect(quotedBlocks(contextOf(planning!)).map((block) => block.kind)).toEqual(["file list"]);
    expect(JSON.stringify(planning!.body.messages)).not.toContain("Repository instructions");
    const events = await fixture.api.events(id);
    expect(ofType(events, "instructions_loaded")).toEqual([]);
    expect(events.filter((event) => event.level === "warning")).toEqual([]);
  });
});
