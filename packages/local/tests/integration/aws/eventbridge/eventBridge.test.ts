import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RuleDefinition } from "@amelia/core/definitions/rules";
import { AwsJsonServer } from "../../../../src/aws/protocol/AwsJsonServer";
import {
  EventBridgeEmulator,
  type EventBridgeEmulatorOptions,
  type EventBridgeEvent,
} from "../../../../src/aws/eventbridge/EventBridgeEmulator";
import { clientConfig, eventBridge, TEST_CREDENTIALS } from "../../../support/sdk";
import { tempDir } from "../../../support/tempDir";

const RULE: RuleDefinition = {
  name: "approvals",
  description: "approved workflow events",
  pattern: { source: ["amelia.workflows"], detail: { kind: ["approved"] } },
  targets: ["broadcaster"],
};

describe("EventBridgeEmulator through EventBridgeClient", () => {
  let dir: ReturnType<typeof tempDir>;
  let server: AwsJsonServer | undefined;
  let client: InstanceType<typeof eventBridge.EventBridgeClient> | undefined;

  beforeEach(() => {
    dir = tempDir("events");
  });
  afterEach(async () => {
    client?.destroy();
    await server?.close();
    dir.remove();
  });

  async function start(invoke: EventBridgeEmulatorOptions["invokeFunction"], logs: unknown[] = []) {
    const emulator = new EventBridgeEmulator({
      rules: [RULE],
      invokeFunction: invoke,
      deadLetterFile: join(dir.path, "dlq", "events.jsonl"),
      region: "eu-west-1",
      account: "123456789012",
      retryDelaysMs: [5, 10],
      log: (message, details) => logs.push({ message, details }),
    });
    server = new AwsJsonServer({ services: [emulator], credentials: TEST_CREDENTIALS });
    const { endpoint } = await server.start();
    client = new eventBridge.EventBridgeClient(clientConfig(endpoint));
    return { emulator, client };
  }

  const entry = (kind: string, extra: Record<string, unknown> = {}) => ({
    Source: "amelia.workflows",
    DetailType: "WorkflowEvent",
    Detail: JSON.stringify({ kind, workflowId: "wf-1" }),
    EventBusName: "amelia",
    ...extra,
  });

  it("delivers matching events to the rule's target, after PutEvents has answered", async () => {
    const delivered: [string, EventBridgeEvent][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { emulator, client } = await start(async (name, event) => {
      delivered.push([name, event]);
      await gate;
    });

    const time = new Date("2026-01-02T03:04:05Z");
    const result = await client.send(
      new eventBridge.PutEventsCommand({
        Entries: [entry("approved", { Time: time, Resources: ["arn:x"] }), entry("started")],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(2);
    const [matchedId] = result.Entries!.map((e) => e.EventId);
    expect(matchedId).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(delivered).toHaveLength(1); // the target is running; PutEvents did not wait for it
    release();
    await emulator.drain();

    expect(delivered).toEqual([
      [
        "broadcaster",
        {
          version: "0",
          id: matchedId,
          "detail-type": "WorkflowEvent",
          source: "amelia.workflows",
          account: "123456789012",
          time: "2026-01-02T03:04:05Z",
          region: "eu-west-1",
          resources: ["arn:x"],
          detail: { kind: "approved", workflowId: "wf-1" },
        },
      ],
    ]);
  });

  it("reports entries with malformed or missing fields as failed entries", async () => {
    const { client } = await start(async () => undefined);
    const result = await client.send(
      new eventBridge.PutEventsCommand({
        Entries: [
          entry("approved", { Detail: "{not json" }),
          { Source: "amelia.workflows" },
          entry("started"),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.[0]).toMatchObject({ ErrorCode: "MalformedDetail" });
    expect(result.Entries?.[1]).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(result.Entries?.[2]?.EventId).toBeDefined();
  });

  it("retries a failing target, then dead-letters the event and logs it", async () => {
    const attempts: number[] = [];
    const logs: unknown[] = [];
    const { emulator, client } = await start(async () => {
      attempts.push(Date.now());
      throw new Error("socket closed");
    }, logs);

    const result = await client.send(
      new eventBridge.PutEventsCommand({ Entries: [entry("approved")] }),
    );
    await emulator.drain();

    expect(attempts).toHaveLength(3);
    const lines = readFileSync(join(dir.path, "dlq", "events.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      rule: "approvals",
      target: "broadcaster",
      attempts: 3,
      error: { name: "Error", message: "socket closed" },
      event: { id: result.Entries?.[0]?.EventId, detail: { kind: "approved" } },
    });
    expect(logs).toHaveLength(1);
    // Private to this user, like the rest of the data directory.
    expect(statSync(join(dir.path, "dlq")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir.path, "dlq", "events.jsonl")).mode & 0o777).toBe(0o600);
  });

  it("delivers once when a retry succeeds", async () => {
    let calls = 0;
    const { emulator, client } = await start(async () => {
      calls += 1;
      if (calls === 1) throw new Error("transient");
    });
    await client.send(new eventBridge.PutEventsCommand({ Entries: [entry("approved")] }));
    await emulator.drain();
    expect(calls).toBe(2);
  });

  it("refuses, at construction, a rule using an unsupported pattern operator", () => {
    const rules = [
      { ...RULE, pattern: { detail: { kind: [{ prefix: "app" }] } } },
    ] as unknown as RuleDefinition[];
    expect(
      () =>
        new EventBridgeEmulator({
          rules,
          invokeFunction: async () => undefined,
          deadLetterFile: "x",
        }),
    ).toThrow(/operator "prefix"/);
  });
});
