import type { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { EventPublisher, type EventDetail } from "../../../src/aws/EventPublisher";
import { EVENTBRIDGE_ENTRY_BYTES } from "../../../src/definitions/limits";
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from "../../../src/definitions/rules";
import type { WorkflowEvent } from "../../../src/events/types";

/** A client that accepts every entry and keeps what it was sent. */
function recordingClient() {
  const entries: Array<{ Source?: string; DetailType?: string; Detail?: string }> = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      entries.push(...(command.input.Entries ?? []));
      return { FailedEntryCount: 0, Entries: [{ EventId: "id" }] };
    },
  } as unknown as EventBridgeClient;
  return { client, entries };
}

function planEvent(plan: string): WorkflowEvent<"plan_created"> {
  return {
    id: "event-7",
    workflowId: "wf-1",
    sequence: 7,
    timestamp: "2026-12-01T21:00:00.000Z",
    type: "plan_created",
    agent: "architect",
    level: "info",
    message: "Plan ready",
    data: { plan, round: 1 },
  };
}

/** The bytes EventBridge counts for the entry that inlines `event`. */
function entryBytes(event: WorkflowEvent): number {
  const detail = JSON.stringify({
    type: event.type,
    startedBy: "github",
    event,
  } satisfies EventDetail);
  return (
    Buffer.byteLength(EVENT_SOURCE) +
    Buffer.byteLength(EVENT_DETAIL_TYPE) +
    Buffer.byteLength(detail)
  );
}

/** A plan of "é" (two bytes each) that brings the inlined entry to exactly `bytes`. */
function planOfEntryBytes(bytes: number): WorkflowEvent {
  const room = bytes - entryBytes(planEvent(""));
  const event = planEvent("é".repeat(Math.floor(room / 2)) + "a".repeat(room % 2));
  expect(entryBytes(event)).toBe(bytes);
  return event;
}

async function published(event: WorkflowEvent): Promise<EventDetail> {
  const { client, entries } = recordingClient();
  await new EventPublisher(client, "bus").publish(event, "github");
  expect(entries).toHaveLength(1);
  return JSON.parse(entries[0]!.Detail!) as EventDetail;
}

describe("EventPublisher counts the entry in UTF-8 bytes against EventBridge's limit", () => {
  it("inlines an event whose entry is one byte under the limit", async () => {
    const event = planOfEntryBytes(EVENTBRIDGE_ENTRY_BYTES - 1);
    expect(await published(event)).toEqual({ type: "plan_created", startedBy: "github", event });
  });

  it("sends a reference for an entry at the limit, though it has far fewer characters", async () => {
    const event = planOfEntryBytes(EVENTBRIDGE_ENTRY_BYTES);
    expect(JSON.stringify(event).length).toBeLessThan(EVENTBRIDGE_ENTRY_BYTES * 0.6);
    expect(await published(event)).toEqual({
      type: "plan_created",
      startedBy: "github",
      reference: { workflowId: "wf-1", sequence: 7 },
    });
  });
});
