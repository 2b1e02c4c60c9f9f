import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { services } from "../../packages/core/src/services";
import { Api, oneTo, sequencesOf } from "../support/api";
import { startTestRuntime } from "../support/runtime";
import { createAtPlanGate, ofType } from "../support/workflows";

const dataDir = await mkdtemp(path.join(tmpdir(), "amelia-cut-off-"));
const environmentBefore = { ...process.env };
afterAll(async () => {
  process.env = environmentBefore;
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * An approve that stops with the runtime, after it took the gate's token: before it recorded the
 * decision, or after, but before it handed the decision to the execution. Both are done here
 * through core as the approve handler does them, and the runtime stops before the rest.
 */
describe("a decision cut off by a stop of the runtime", () => {
  it(
    "is asked for again after the restart, saying so, and the workflows finish",
    { timeout: 90_000 },
    async () => {
      const first = await startTestRuntime({ dataDir });
      const firstApi = new Api(first.url);
      const tokenTaken = await createAtPlanGate(firstApi, { issueId: "CUT-1" });
      const decisionRecorded = await createAtPlanGate(firstApi, { issueId: "CUT-2" });
      // This process's core reaches the first runtime's table, as its functions do.
      Object.assign(process.env, first.environment);
      const { workflowStore, workflows } = services();
      for (const { id } of [tokenTaken, decisionRecorded]) {
        expect(await workflowStore.takeGate(id)).toMatchObject({ gate: "plan" });
      }
      await workflows.record(decisionRecorded.id, {
        type: "approval_granted",
        agent: "human",
        level: "info",
        message: "Plan approved",
        data: { gate: "plan" },
      });
      process.env = { ...environmentBefore };
      // Neither can be decided now: one has no token, the other is no longer blocked.
      expect((await firstApi.approve(tokenTaken.id)).status).toBe(422);
      expect((await firstApi.approve(decisionRecorded.id)).status).toBe(422);
      await first.close();

      const second = await startTestRuntime({ dataDir });
      try {
        const api = new Api(second.url);
        // Served only once the gates are open again: both can be approved at once.
        expect((await api.get(tokenTaken.id)).body).toMatchObject({
          status: "blocked",
          gate: "plan",
        });
        expect((await api.get(decisionRecorded.id)).body).toMatchObject({
          status: "blocked",
          gate: "plan",
        });
        for (const { id } of [tokenTaken, decisionRecorded]) {
          expect((await api.approve(id)).status).toBe(200);
          await api.waitForStatus(id, "completed");
        }

        const untouched = await api.events(tokenTaken.id);
        expect(sequencesOf(untouched)).toEqual(oneTo(untouched.length));
        expect(ofType(untouched, "approval_required")).toHaveLength(1);
        expect(
          ofType(untouched, "agent_message").filter((e) => e.agent === "system")[0]?.data,
        ).toEqual({ gate: "plan", reopened: true });

        const asked = await api.events(decisionRecorded.id);
        expect(sequencesOf(asked)).toEqual(oneTo(asked.length));
        expect(ofType(asked, "approval_required").map((e) => e.data.reopened)).toEqual([
          undefined,
          true,
        ]);
        expect(ofType(asked, "approval_granted")).toHaveLength(2);
      } finally {
        await second.close();
      }
    },
  );
});
