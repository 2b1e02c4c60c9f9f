import { describe, expect, it } from "vitest";
import type { EventPage, ServerMessage, Workflow, WorkflowPage } from "@amelia/client";
import { oneTo, sequencesOf } from "../support/api";
import { reply, toolUse } from "../support/fakeAnthropic";
import { useClaudeRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";
import { WsClient } from "../support/ws";

const { fake, fixture } = await useClaudeRuntime();

const WEBSOCKET_MESSAGE_BYTES = 128 * 1024;
type Reference = Extract<ServerMessage, { type: "event_reference" }>;

/** Reads the event a reference stands for, as the contract says a client does. */
async function fetchReferenced(reference: Reference) {
  const page = await fixture.api.request<EventPage>(
    "GET",
    `/api/workflows/${reference.workflowId}/events?since=${reference.sequence - 1}&limit=1`,
  );
  expect(page.status).toBe(200);
  expect(page.body.events).toHaveLength(1);
  return page.body.events[0]!;
}

describe("large texts are stored whole and reach every client", () => {
  it("a description of 100,000 'é' and a 300 KB plan: the workflow completes, every event readable over HTTP and WebSocket", async () => {
    const description = "é".repeat(100_000);
    const steps = Array.from({ length: 7_700 }, () => "1. Écrire la fonction, puis la tester.");
    const plan = `# Plan\n\n${steps.join("\n")}`;
    expect(Buffer.byteLength(plan)).toBeGreaterThan(300_000);
    fake.script("architect", reply(toolUse("submit_plan", { plan })));
    fake.script(
      "developer",
      reply(
        toolUse("create_file", { path: "NOTES.md", content: "Done.\n" }),
        toolUse("finish", { summary: "Wrote the notes." }),
      ),
    );
    fake.script(
      "reviewer",
      reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] })),
    );

    const created = await fixture.api.create({ issueId: "LARGE-1", title: "Large", description });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const live = await WsClient.connect(fixture.runtime.wsUrl);
    live.send({ action: "subscribe", workflowId: id, since: 0 });

    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe(plan);
    expect(blocked.description).toBe(description);
    const listed = await fixture.api.request<WorkflowPage>("GET", "/api/workflows?limit=100");
    const summary = listed.body.workflows.find((w: Workflow) => w.id === id);
    expect(summary).toMatchObject({ id, status: "blocked", abridged: true });
    expect(summary).not.toHaveProperty("plan");

    expect((await fixture.api.approve(id)).status).toBe(200);
    const completed = await fixture.api.waitForStatus(id, "completed");
    expect(completed.plan).toBe(plan);

    const events = await fixture.api.events(id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    expect(ofType(events, "workflow_created")[0]?.data.description).toBe(description);
    expect(ofType(events, "plan_created")[0]?.data.plan).toBe(plan);
    expect(ofType(events, "approval_required")[0]?.data.plan).toBe(plan);

    // A late subscriber gets everything from the log: small events inline, large ones referenced.
    const late = await WsClient.connect(fixture.runtime.wsUrl);
    late.send({ action: "subscribe", workflowId: id, since: 0 });
    await late.waitFor((m) => m.type === "backfill_complete");
    for (const client of [live, late]) {
      await client.waitFor(
        (m) =>
          (m.type === "event" && m.event.sequence === events.length) ||
          (m.type === "event_reference" && m.sequence === events.length),
      );
      const references = client.messages.filter(
        (m): m is Reference => m.type === "event_reference",
      );
      expect(references.map((r) => r.sequence)).toEqual(
        expect.arrayContaining([
          ofType(events, "workflow_created")[0]!.sequence,
          ofType(events, "plan_created")[0]!.sequence,
        ]),
      );
      for (const reference of references) {
        expect(reference.bytes).toBeGreaterThan(WEBSOCKET_MESSAGE_BYTES);
        expect(await fetchReferenced(reference)).toEqual(events[reference.sequence - 1]);
      }
      const received = new Set([
        ...client.events(id).map((e) => e.sequence),
        ...references.map((r) => r.sequence),
      ]);
      expect([...received].sort((a, b) => a - b)).toEqual(oneTo(events.length));
    }
    await Promise.all([live.close(), late.close()]);
  });
});
