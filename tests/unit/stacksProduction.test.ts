import { describe, expect, it } from "vitest";
import { Storage } from "../../stacks/Storage";
import { synthesise } from "../support/stacks";

/** The table's deletion policy when the app is synthesised for `stage`. */
async function tableDeletionPolicy(stage: string): Promise<unknown> {
  const templateOf = await synthesise(stage);
  const tables = templateOf(Storage).findResources("AWS::DynamoDB::Table");
  return Object.values(tables)[0]?.DeletionPolicy;
}

describe("removing a stage", () => {
  it("keeps a production stage's table and data", async () => {
    expect(await tableDeletionPolicy("prod")).toBe("Retain");
  });
});
