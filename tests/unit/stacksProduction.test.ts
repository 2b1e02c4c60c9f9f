import { describe, expect, it } from "vitest";
import { Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import config from "../../sst.config";
import { Storage } from "../../stacks/Storage";

/** The table's deletion policy when the app is synthesised for `stage`. */
async function tableDeletionPolicy(stage: string): Promise<unknown> {
  await initProject({ stage });
  const app = new App({ mode: "deploy", stage, name: "amelia", region: "us-east-1" });
  config.stacks(app);
  const tables = Template.fromStack(getStack(Storage)).findResources("AWS::DynamoDB::Table");
  return Object.values(tables)[0]?.DeletionPolicy;
}

describe("removing a stage", () => {
  it("keeps a production stage's table and data", async () => {
    expect(await tableDeletionPolicy("prod")).toBe("Retain");
  });
});
