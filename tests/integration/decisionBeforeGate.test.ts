import { describe, expect, it } from "vitest";
import { reply, toolUse } from "../support/fakeAnthropic";
import { useClaudeRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

// The architect is a scripted Claude held mid-call, so the decisions below are known to arrive
// before the plan gate opens (the demo architect may reach it first).
const { fake, fixture } = await useClaudeRuntime({ AMELIA_ANTHROPIC_STREAMING: "false" });

describe("deciding before the plan gate", () => {
  it("approve / reject while the architect plans → 422, and nothing is recorded", async () => {
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan\n\n1. Do it." })));
    const architect = fake.hold("architect");
    const created = await fixture.api.create({ issueId: "EARLY-1" });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("in_progress");
    const id = created.body.id;
    await architect.reached;
    expect((await fixture.api.get(id)).body).toMatchObject({
      status: "in_progress",
      stage: "architect",
    });

    const approved = await fixture.api.approve(id);
    expect(approved.status).toBe(422);
    expect(approved.body.code).toBe("INVALID_STATE");
    const rejected = await fixture.api.reject(id, "Too early");
    expect(rejected.status).toBe(422);
    expect(rejected.body.code).toBe("INVALID_STATE");

    // The architect carries on to the gate; no decision was taken in between.
    architect.release();
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.gate).toBe("plan");
    const events = await fixture.api.events(id);
    expect(events.filter((e) => e.agent === "human")).toEqual([]);
    expect(ofType(events, "approval_required")).toHaveLength(1);
    expect((await fixture.api.cancel(id)).status).toBe(200);
  });
});
