import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient } from "../../packages/core/src/aws/clients";
import { services } from "../../packages/core/src/services";
import { keys } from "../../packages/core/src/store/table";
import { useTestRuntime } from "../support/runtime";

// Deletes the stored item and rebuilds it through core, here, as an operator would.
const fixture = useTestRuntime({ callsCore: true });

describe("the workflow is a projection of its log", () => {
  it("is rebuilt, identical, from the events after its stored item is lost", async () => {
    const { body } = await fixture.api.create({ issueId: "REBUILD-1", title: "Rebuild me" });
    await fixture.api.waitForStatus(body.id, "blocked");
    await fixture.api.approve(body.id);
    const completed = await fixture.api.waitForStatus(body.id, "completed");

    await documentClient().send(
      new DeleteCommand({
        TableName: process.env.AMELIA_TABLE_NAME,
        Key: { pk: keys.workflow(body.id), sk: keys.state },
      }),
    );
    expect((await fixture.api.get(body.id)).status).toBe(404);

    const rebuilt = await services().workflows.rebuild(body.id);
    expect(rebuilt).toEqual(completed);
    expect((await fixture.api.get(body.id)).body).toEqual(completed);
    // Listed again under its status, as before.
    const listed = await fixture.api.request<{ workflows: { id: string }[] }>(
      "GET",
      "/api/workflows?status=completed",
    );
    expect(listed.body.workflows.map((w) => w.id)).toContain(body.id);
  });
});
