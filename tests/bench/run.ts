/**
 * `npm run bench`: the local runtime's figures for the targets of the foundation issue.
 * (a) appends/s to one workflow's log with 8 concurrent writers, gapless;
 * (b) latency from append to receipt by 50 subscribed WebSocket clients;
 * (c) latency from the approve request to the developer stage starting.
 * And for the deploy: (d) every function's bundle size and cold start against this runtime,
 * (e) the AWS cost of one demo workflow, (f) the gzip size of the web UI's production bundle,
 * (g) a Claude workflow against the fake Messages API (tests/bench/agents.ts). And for the checks: (h) a no-op check's run in the local
 * sandbox (tests/bench/sandboxStart.ts). And under load (tests/bench/load.ts): (i) workflows/s with
 * 20 at a time and every gate approved by a watcher, (j) approve and push latency with 50 watchers
 * on `*`, (k) 300 watchers on `*` while 3 workflows run, every delivery counted.
 * `npm run bench -- i k` runs only the sections named.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { NewEvent, WorkflowEvent } from "../../packages/core/src/events/types";
import { services } from "../../packages/core/src/services";
import { EventStore } from "../../packages/core/src/store/EventStore";
import { startLocalRuntime } from "../../packages/local/src/LocalRuntime";
import { UsageMeter } from "../../packages/local/src/metering/UsageMeter";
import { Api } from "../support/api";
import { WsClient } from "../support/ws";
import { printBundleSizes } from "./bundleSizes";
import { approveLatencyWatched, concurrentWorkflows, manyWatchers } from "./load";
import { estimateCost } from "./workflowCost";
import { reportWebBundle } from "./webBundle";
import { benchAgents } from "./agents";
import { benchSandboxStart } from "./sandboxStart";

const named = process.argv.slice(2);
const SECTIONS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] as const;
type Section = (typeof SECTIONS)[number];
const unknown = named.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark sections: ${unknown.join(", ")} (they are ${SECTIONS.join(" ")})`,
  );
  process.exit(2);
}
/** Whether to run a section: all of them unless some are named. */
const runs = (section: string) => named.length === 0 || named.includes(section);

process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
process.env.AMELIA_MAX_ACTIVE_WORKFLOWS ??= "100";

const dataDir = await mkdtemp(path.join(tmpdir(), "amelia-bench-"));
// Metered for (e); one runtime serves (a) to (f), and (g) starts its own.
const usage = new UsageMeter();
const runtime = await startLocalRuntime({ port: 0, dataDir, usage });
// (a) drives the event log through core, in this process, against the runtime's table.
Object.assign(process.env, runtime.environment);
const api = new Api(runtime.url);
const wsUrl = `${runtime.url.replace("http", "ws")}/ws`;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

function message(text: string, data?: Record<string, unknown>): NewEvent {
  return { type: "agent_message", agent: "developer", level: "info", message: text, data };
}

function assertGapless(sequences: number[], label: string): void {
  const sorted = [...sequences].sort((a, b) => a - b);
  if (!sorted.every((s, i) => s === i + 1))
    throw new Error(`${label}: the log has a gap or a repeat`);
}

let appendRuns = 0;

async function appendThroughput(writers: number, perWriter: number, separateClients: boolean) {
  const tableName = process.env.AMELIA_TABLE_NAME!;
  const shared = new EventStore(new DynamoDBClient({}), tableName);
  const workflowId = `bench-append-${++appendRuns}`;
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const store = separateClients ? new EventStore(new DynamoDBClient({}), tableName) : shared;
      const sequences: number[] = [];
      for (let i = 0; i < perWriter; i++) {
        sequences.push((await store.append(workflowId, message(`w${writer} #${i}`))).sequence);
      }
      return sequences;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  assertGapless(results.flat(), workflowId);
  const stored = await shared.listAll(workflowId);
  assertGapless(
    stored.map((e) => e.sequence),
    `${workflowId} (read back)`,
  );
  return (writers * perWriter) / seconds;
}

/** A busy agent's pace: 20 events a second, each pushed to every subscriber. */
const EVENT_INTERVAL_MS = 50;

async function fanOutLatency(clients: number, events: number) {
  const created = await api.create({ issueId: "BENCH-FANOUT", title: "Fan-out benchmark" });
  const id = created.body.id;
  await api.waitForStatus(id, "blocked");
  const sockets = await Promise.all(Array.from({ length: clients }, () => WsClient.connect(wsUrl)));
  for (const socket of sockets) socket.send({ action: "subscribe", workflowId: id });
  await Promise.all(sockets.map((s) => s.waitFor((m) => m.type === "subscribed")));

  const sentAt = new Map<number, number>();
  const samples: number[] = [];
  for (const socket of sockets) {
    socket.socket.on("message", (data: Buffer) => {
      const received = performance.now();
      const parsed = JSON.parse(data.toString("utf8")) as {
        type: string;
        event?: { sequence: number };
      };
      const sent = parsed.event && sentAt.get(parsed.event.sequence);
      if (parsed.type === "event" && sent !== undefined) samples.push(received - sent);
    });
  }
  const { workflows } = services();
  for (let i = 0; i < events; i++) {
    const before = performance.now();
    const { event } = await workflows.record(id, message(`fan-out ${i}`));
    sentAt.set(event.sequence, before);
    await new Promise((resolve) => setTimeout(resolve, EVENT_INTERVAL_MS));
  }
  const deadline = Date.now() + 10_000;
  while (samples.length < clients * events && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(sockets.map((s) => s.close()));
  await api.cancel(id);
  return { samples, expected: clients * events };
}

async function approveToDeveloper(runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { body } = await api.create({ issueId: `BENCH-APPROVE-${i}`, title: "Approve latency" });
    await api.waitForStatus(body.id, "blocked");
    const before = Date.now();
    const approved = await api.approve(body.id);
    if (approved.status !== 200) throw new Error(`approve answered ${approved.status}`);
    const done = await api.waitFor(
      body.id,
      (w) => w.stage !== "plan_approval" && w.stage !== "architect",
    );
    const events = await api.events(body.id);
    const developer = events.find((e) => e.type === "stage_started" && e.agent === "developer");
    if (!developer) throw new Error(`no developer stage in ${done.id}`);
    samples.push(Date.parse(developer.timestamp) - before);
    await api.waitFor(body.id, (w) => w.status === "completed");
  }
  return samples;
}

/** One demo workflow watched by one person, from creation to completion, as AWS would bill it. */
async function demoWorkflowCost() {
  const watcher = await WsClient.connect(wsUrl);
  watcher.send({ action: "subscribe", workflowId: "*" });
  await watcher.waitFor((m) => m.type === "subscribed");
  usage.reset();
  const { body } = await api.create({ issueId: "BENCH-COST", title: "Cost of one workflow" });
  await api.waitForStatus(body.id, "blocked");
  await api.approve(body.id);
  await api.waitForStatus(body.id, "completed");
  const events = await api.events(body.id);
  await watcher.waitFor(
    (m) =>
      m.type === "event" && m.event.workflowId === body.id && m.event.sequence === events.length,
  );
  await watcher.close();
  return {
    lines: estimateCost(usage.snapshot()),
    events: events.length,
    verify: verifyTimes(events),
  };
}

/**
 * How long each developer round waited for its checks: from the developer's stage_completed to
 * the next reviewer's stage_started (prepare the source, run the build in the sandbox, record).
 */
function verifyTimes(events: WorkflowEvent[]) {
  const at = (event: WorkflowEvent) => Date.parse(event.timestamp);
  const rounds: number[] = [];
  let finished: WorkflowEvent | undefined;
  for (const event of events) {
    if (event.type === "stage_completed" && event.data.stage === "developer") finished = event;
    if (event.type === "stage_started" && event.data.stage === "reviewer" && finished) {
      rounds.push(at(event) - at(finished));
      finished = undefined;
    }
  }
  const total = at(events.at(-1)!) - at(events[0]!);
  return { rounds, share: rounds.reduce((sum, ms) => sum + ms, 0) / total };
}

/** The sections of the benchmark, by the letter they print. */
const sections: Record<Section, () => Promise<void>> = {
  a: async () => {
    await appendThroughput(8, 250, false); // warm-up: JIT and the SDK's connection pool
    const inProcess = await appendThroughput(8, 500, false);
    const separate = await appendThroughput(8, 100, true);
    console.log(
      "(a) event log appends, one workflow, 8 concurrent writers, gapless (target ≥ 1,000/s)",
    );
    console.log(`    writers sharing one process:       ${Math.round(inProcess)} appends/s`);
    console.log(
      `    writers with separate clients:     ${Math.round(separate)} appends/s (conditional-write contention)`,
    );
  },
  b: async () => {
    const fanOut = await fanOutLatency(50, 100);
    console.log(
      `\n(b) append → receipt by 50 subscribed WebSocket clients, an event every ${EVENT_INTERVAL_MS} ms (target p99 < 50 ms)`,
    );
    console.log(
      `    ${fanOut.samples.length}/${fanOut.expected} deliveries   p50 ${ms(percentile(fanOut.samples, 50))}   p99 ${ms(percentile(fanOut.samples, 99))}`,
    );
  },
  c: async () => {
    const approve = await approveToDeveloper(30);
    console.log("\n(c) approve request → developer stage started (target p99 < 100 ms)");
    console.log(
      `    ${approve.length} workflows   p50 ${ms(percentile(approve, 50))}   p99 ${ms(percentile(approve, 99))}`,
    );
  },
  d: async () => {
    console.log("\n(d)");
    await printBundleSizes(runtime.environment);
  },
  e: async () => {
    const cost = await demoWorkflowCost();
    const total = cost.lines.reduce((sum, line) => sum + line.usd, 0);
    console.log(
      `\n(e) AWS cost of one demo workflow (${cost.events} events, one watcher), LLM tokens excluded (target < $0.002)`,
    );
    for (const line of cost.lines) {
      console.log(
        `    ${line.item.padEnd(36)} ${line.quantity.padStart(14)}   $${line.usd.toFixed(6)}`,
      );
    }
    console.log(`    ${"total".padEnd(36)} ${"".padStart(14)}   $${total.toFixed(6)}`);
    console.log(
      `    verify step per developer round: ${cost.verify.rounds.map(ms).join(", ")} ` +
        `(${(cost.verify.share * 100).toFixed(0)}% of the workflow's time)`,
    );
  },
  f: async () => {
    await reportWebBundle();
  },
  g: async () => {
    await benchAgents();
  },
  h: async () => {
    await benchSandboxStart();
  },
  i: async () => {
    console.log(
      "\n(i) busy runtime: 60 demo workflows, 20 at a time, a watcher on * approving every gate (target ≥ 20/s)",
    );
    await concurrentWorkflows(api, wsUrl, 4, 4, "BENCH-WARM");
    const load = await concurrentWorkflows(api, wsUrl, 60, 20, "BENCH-LOAD");
    console.log(`    ${load.perSecond.toFixed(2)} workflows/s (${load.seconds.toFixed(1)} s)`);
  },
  j: async () => {
    const watched = await approveLatencyWatched(api, wsUrl, 50, 10);
    console.log("\n(j) 50 WebSocket clients on * (target p99 < 50 ms each)");
    console.log(
      `    approve → developer stage started: p50 ${ms(percentile(watched.approve, 50))}   p99 ${ms(percentile(watched.approve, 99))}`,
    );
    console.log(
      `    append → receipt (${watched.push.length} deliveries): p50 ${ms(percentile(watched.push, 50))}   p99 ${ms(percentile(watched.push, 99))}`,
    );
  },
  k: async () => {
    const crowd = await manyWatchers(api, wsUrl, 300, 3);
    console.log(
      "\n(k) 300 WebSocket clients on * while 3 workflows run (target p99 < 250 ms, nothing lost)",
    );
    console.log(
      `    ${crowd.push.length}/${crowd.deliveries} deliveries   p50 ${ms(percentile(crowd.push, 50))}   p99 ${ms(percentile(crowd.push, 99))}`,
    );
  },
};

try {
  console.log("Amelia local runtime benchmarks (dynalite on disk, same process)\n");
  for (const section of SECTIONS) if (runs(section)) await sections[section]();
} catch (error) {
  console.error("Benchmark failed:", error);
  process.exitCode = 1;
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
