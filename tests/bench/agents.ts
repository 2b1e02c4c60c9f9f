/**
 * (g) One Claude workflow against the fake Messages API: LLM calls per stage, input tokens per
 * call, the share of input tokens behind a cache breakpoint, and the orchestration time without
 * the fake's latency. The fake counts about a token per 4 characters of the request and
 * simulates the prompt cache from the request's `cache_control` breakpoints; every response has
 * the same output size and latency, so the figures measure Amelia's requests, not a model.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import { Api } from "../support/api";
import {
  FakeAnthropic,
  reply,
  text,
  toolUse,
  type RecordedRequest,
} from "../support/fakeAnthropic";
import { createGitRepository } from "../support/git";
import { startTestRuntime } from "../support/runtime";

const LATENCY_MS = 50;
const OUTPUT_TOKENS = 200;

function script(fake: FakeAnthropic): void {
  fake.script(
    "architect",
    reply(text("Reading the entry point."), toolUse("read_file", { path: "src/app.ts" })),
    reply(toolUse("submit_plan", { plan: "# Plan: Greet by name\n\n## Steps\n1. Add greet().\n" })),
  );
  fake.script(
    "developer",
    reply(toolUse("list_files", {}), toolUse("read_file", { path: "src/app.ts" })),
    reply(
      toolUse("create_file", {
        path: "src/greet.ts",
        content: "export const greet = (name: string) => `Hello, ${name}`;\n",
      }),
    ),
    reply(
      toolUse("edit_file", {
        path: "src/app.ts",
        old_text: "console.log('hello');",
        new_text: "console.log(greet('world'));",
      }),
    ),
    reply(toolUse("finish", { summary: "Added greet() and used it." })),
    reply(toolUse("read_file", { path: "src/app.ts" })),
    reply(
      toolUse("edit_file", {
        path: "src/app.ts",
        old_text: "console.log(",
        new_text: "import { greet } from './greet';\nconsole.log(",
      }),
    ),
    reply(toolUse("finish", { summary: "Imported greet." })),
  );
  fake.script(
    "reviewer",
    reply(
      toolUse("submit_review", {
        approved: false,
        severity: "major",
        comments: ["src/app.ts: greet is used but never imported"],
      }),
    ),
    reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] })),
  );
}

async function repository(): Promise<string> {
  const root = await createGitRepository();
  await mkdir(path.join(root, "src"));
  const lines = Array.from({ length: 80 }, (_, i) => `// line ${i + 1} of the application`);
  await writeFile(path.join(root, "src/app.ts"), `${lines.join("\n")}\nconsole.log('hello');\n`);
  execFileSync("git", ["add", "."], { cwd: root });
  execFileSync("git", ["-c", "user.name=B", "-c", "user.email=b@b", "commit", "-qm", "App"], {
    cwd: root,
  });
  return root;
}

const at = (events: WorkflowEvent[], type: WorkflowEvent["type"]) =>
  Date.parse(events.find((e) => e.type === type)!.timestamp);
const prompt = (r: RecordedRequest) =>
  r.usage!.input_tokens + r.usage!.cache_read_input_tokens + r.usage!.cache_creation_input_tokens;
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

export async function benchAgents(): Promise<void> {
  const fake = await FakeAnthropic.start({
    latencyMs: LATENCY_MS,
    simulateUsage: true,
    outputTokens: OUTPUT_TOKENS,
  });
  // A runtime of its own, whose functions have the key.
  const runtime = await startTestRuntime({
    env: { ANTHROPIC_API_KEY: "bench-key", ANTHROPIC_BASE_URL: fake.url },
  });
  const api = new Api(runtime.url);
  try {
    script(fake);
    const created = await api.create({ issueId: "BENCH-CLAUDE", repository: await repository() });
    const id = created.body.id;
    await api.waitForStatus(id, "blocked");
    await api.approve(id);
    await api.waitForStatus(id, "completed");
    const events = await api.events(id);

    console.log(
      `\n(g) one Claude workflow against the fake Messages API (${LATENCY_MS} ms and ` +
        `${OUTPUT_TOKENS} output tokens per response)`,
    );
    for (const agent of ["architect", "developer", "reviewer"] as const) {
      const calls = fake.requestsOf(agent);
      console.log(
        `    ${agent.padEnd(10)} ${String(calls.length).padStart(2)} calls   input tokens per call: ` +
          calls.map(prompt).join(", "),
      );
    }
    const answered = fake.requests.filter((r) => r.usage);
    const total = answered.reduce((sum, r) => sum + prompt(r), 0);
    const read = answered.reduce((sum, r) => sum + r.usage!.cache_read_input_tokens, 0);
    const written = answered.reduce((sum, r) => sum + r.usage!.cache_creation_input_tokens, 0);
    console.log(
      `    ${answered.length} calls, ${total} input tokens: ${percent(read + written, total)} behind ` +
        `a cache breakpoint (${percent(read, total)} read from the cache, ` +
        `${percent(written, total)} written to it)`,
    );
    const wall = at(events, "workflow_completed") - at(events, "workflow_created");
    const atGate = at(events, "approval_granted") - at(events, "approval_required");
    const model = answered.reduce((sum, r) => sum + r.handlingMs, 0);
    console.log(
      `    orchestration time without the fake's latency: ${(wall - atGate - model).toFixed(0)} ms ` +
        `(${wall} ms created → completed, less ${atGate} ms at the plan gate and ` +
        `${model.toFixed(0)} ms in the fake)`,
    );
  } finally {
    await runtime.stop();
    await fake.close();
  }
}
