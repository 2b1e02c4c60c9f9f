import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AslDefinition } from "../../../../src/aws/stepfunctions/aslDefinition";
import { readBuilds } from "../../../../src/aws/codebuild/BuildStore";
import {
  CHECKS_BUCKET,
  CHECKS_PROJECT,
  startCodeBuild,
  type CodeBuildHarness,
} from "../../../support/codeBuildHarness";
import { eventually } from "../../../support/eventually";
import { sfn } from "../../../support/sdk";
import {
  startStepFunctions,
  type StepFunctionsHarness,
} from "../../../support/stepFunctionsHarness";
import { tempDir } from "../../../support/tempDir";

/** The checks' RunChecks state (issue 12's design), then a Pass that keeps what it caught. */
function checksDefinition(options: { selector?: boolean; retries?: number } = {}): AslDefinition {
  return {
    StartAt: "RunChecks",
    States: {
      RunChecks: {
        Type: "Task",
        Resource: "arn:aws:states:::codebuild:startBuild.sync",
        Parameters: {
          ProjectName: CHECKS_PROJECT,
          SourceTypeOverride: "S3",
          "SourceLocationOverride.$": "$.verify.run.sourceLocation",
          "BuildspecOverride.$": "$.verify.run.buildspec",
          ArtifactsOverride: {
            Type: "S3",
            Location: CHECKS_BUCKET,
            Path: "results",
            "Name.$": "$.verify.run.runId",
            Packaging: "NONE",
            NamespaceType: "NONE",
          },
          EnvironmentVariablesOverride: [
            { Name: "RUN_ID", "Value.$": "$.verify.run.runId", Type: "PLAINTEXT" },
          ],
        },
        ...(options.selector !== false && {
          ResultSelector: { "id.$": "$.Build.Id", "status.$": "$.Build.BuildStatus" },
        }),
        ResultPath: "$.build",
        Retry: [
          {
            ErrorEquals: ["States.ALL"],
            IntervalSeconds: 2,
            MaxAttempts: options.retries ?? 0,
            BackoffRate: 2,
          },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.build", Next: "RecordChecks" }],
        Next: "RecordChecks",
      },
      RecordChecks: { Type: "Pass", End: true },
    },
  };
}

const spec = (command: string) =>
  [
    "version: 0.2",
    "phases:",
    "  build:",
    "    commands:",
    "      - mkdir -p .amelia-results",
    `      - ${JSON.stringify(command)}`,
    "artifacts:",
    "  base-directory: .amelia-results",
    '  files: ["**/*"]',
  ].join("\n");

describe("startBuild.sync Tasks run a build of the local CodeBuild", () => {
  let dir: ReturnType<typeof tempDir>;
  let codeBuild: CodeBuildHarness;
  let machines: StepFunctionsHarness[];

  beforeEach(async () => {
    dir = tempDir("sfn-codebuild");
    codeBuild = await startCodeBuild(dir.path);
    machines = [];
  });
  afterEach(async () => {
    for (const machine of machines) await machine.stop();
    await codeBuild.stop();
    dir.remove();
  });

  async function machine(definition: AslDefinition, builds = codeBuild.emulator) {
    const harness = await startStepFunctions({
      definition,
      functions: {},
      stateDirectory: join(dir.path, "sfn"),
      retryIntervalOverride: 1,
      codeBuild: builds,
    });
    machines.push(harness);
    return harness;
  }

  const input = async (runId: string, command: string) => ({
    verify: {
      run: {
        runId,
        sourceLocation: await codeBuild.source(`sources/${runId}.zip`, { "a.txt": "a" }),
        buildspec: spec(command),
      },
    },
  });

  const buildIds = () => readBuilds(join(dir.path, "codebuild", "builds")).map((build) => build.id);

  it("succeeds with the build, in PascalCase as the optimized integration gives it", async () => {
    const h = await machine(checksDefinition({ selector: false }));
    const arn = await h.start("ok", await input("run-ok", "echo $RUN_ID > .amelia-results/id.txt"));
    const done = await h.untilStatus(arn, "SUCCEEDED");
    const { build } = JSON.parse(done.output!) as { build: { Build: Record<string, unknown> } };
    expect(build.Build).toMatchObject({
      Id: expect.stringMatching(new RegExp(`^${CHECKS_PROJECT}:`)),
      Arn: expect.stringMatching(/^arn:aws:codebuild:us-east-1:000000000000:build\//),
      BuildStatus: "SUCCEEDED",
      BuildComplete: true,
      ProjectName: CHECKS_PROJECT,
      CurrentPhase: "COMPLETED",
      TimeoutInMinutes: 15,
    });
    expect(build.Build.EndTime as number).toBeGreaterThanOrEqual(build.Build.StartTime as number);
    // Epoch milliseconds, as Step Functions renders the build's dates.
    expect(Math.abs((build.Build.StartTime as number) - Date.now())).toBeLessThan(60_000);
    expect(await codeBuild.object("results/run-ok/id.txt")).toBe("run-ok\n");
  });

  it("fails the task on a failed build, with the build as Cause; a retry runs a new build", async () => {
    const h = await machine(checksDefinition({ retries: 1 }));
    const arn = await h.start("failing", await input("run-bad", "exit 1"));
    const done = await h.untilStatus(arn, "SUCCEEDED");
    const { build } = JSON.parse(done.output!) as { build: { Error: string; Cause: string } };
    expect(build.Error).toBe("States.TaskFailed");
    const cause = JSON.parse(build.Cause) as { Build: Record<string, unknown> };
    expect(cause.Build).toMatchObject({ BuildStatus: "FAILED", BuildComplete: true });
    expect(buildIds()).toHaveLength(2);
    expect(buildIds()).toContain(cause.Build.Id);
  });

  it("reports a refused StartBuild as CodeBuild.<exception>", async () => {
    const h = await machine(checksDefinition());
    const refused = await input("run-refused", "true");
    refused.verify.run.sourceLocation = "no-key";
    const arn = await h.start("refused", refused);
    const done = await h.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output!).build).toMatchObject({
      Error: "CodeBuild.InvalidInputException",
      Cause: expect.stringContaining("sourceLocationOverride"),
    });
  });

  it("stops the build when the execution is stopped", async () => {
    const h = await machine(checksDefinition());
    const arn = await h.start("stopped", await input("run-stop", "touch started; sleep 30"));
    const [id] = await eventually(() => {
      const ids = buildIds();
      const uuid = ids[0]?.split(":")[1];
      if (!uuid || !existsSync(join(dir.path, "codebuild", "work", uuid, "src", "started"))) {
        throw new Error("the build has not started its command");
      }
      return ids;
    });
    await h.client.send(new sfn.StopExecutionCommand({ executionArn: arn }));
    const stopped = await codeBuild.untilComplete(id!, 3000);
    expect(stopped.buildStatus).toBe("STOPPED");
    expect((await h.describe(arn)).status).toBe("ABORTED");
  });

  it("runs the state again after a restart while it waited, so the execution goes on", async () => {
    const marker = join(dir.path, "first-build-ran");
    const first = await machine(checksDefinition());
    const command = `test -e ${marker} || { touch ${marker}; sleep 30; }; echo done > .amelia-results/r.txt`;
    const arn = await first.start("restarted", await input("run-restart", command));
    await eventually(() => {
      if (!existsSync(marker)) throw new Error("the first build has not started");
    });
    await first.stop();
    machines.splice(machines.indexOf(first), 1);

    // The same state file, with the runtime's CodeBuild started again.
    await codeBuild.stop();
    codeBuild = await startCodeBuild(dir.path);
    const second = await machine(checksDefinition(), codeBuild.emulator);
    const done = await second.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output!).build).toMatchObject({ status: "SUCCEEDED" });
    expect(buildIds()).toHaveLength(2);
    expect(await codeBuild.object("results/run-restart/r.txt")).toBe("done\n");
  });
});
