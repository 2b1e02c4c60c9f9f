import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodeBuildEmulator } from "../../../../src/aws/codebuild/CodeBuildEmulator";
import { ObjectStore } from "../../../../src/aws/s3/ObjectStore";
import { sandboxFor } from "../../../../src/sandbox/Sandbox";
import {
  CHECKS_BUCKET,
  CHECKS_PROJECT,
  startCodeBuild,
  type CodeBuildHarness,
} from "../../../support/codeBuildHarness";
import { eventually } from "../../../support/eventually";
import { codeBuild } from "../../../support/sdk";
import { tempDir } from "../../../support/tempDir";

/** The buildspec shape the checks use: setup in install, the runner in build, results as artifacts. */
function buildspec(phases: { install?: string[]; build: string[] }, variables = "{}") {
  const list = (commands: string[]) =>
    commands.map((c) => `      - ${JSON.stringify(c)}`).join("\n");
  return [
    "version: 0.2",
    "env:",
    "  shell: bash",
    `  variables: ${variables}`,
    "phases:",
    ...(phases.install ? ["  install:", "    commands:", list(phases.install)] : []),
    "  build:",
    "    commands:",
    list(phases.build),
    "artifacts:",
    "  base-directory: .amelia-results",
    '  files: ["**/*"]',
  ].join("\n");
}

const artifactsOverride = (runId: string) => ({
  type: "S3" as const,
  location: CHECKS_BUCKET,
  path: "results",
  name: runId,
  packaging: "NONE" as const,
  namespaceType: "NONE" as const,
});

const phaseSummary = (build: codeBuild.Build) =>
  (build.phases ?? []).map((phase) => `${phase.phaseType}:${phase.phaseStatus ?? "-"}`);

/** The PIDs a build printed as `PID=<n>`, from its log. */
function printedPids(directory: string, buildId: string): number[] {
  const log = readFileSync(join(directory, "logs", `${buildId.split(":")[1]}.log`), "utf8");
  return [...log.matchAll(/PID=(\d+)/g)].map((match) => Number(match[1]));
}

/** Waits until the running build has made `name` in its copy of the source. */
function untilMade(directory: string, buildId: string, name: string) {
  const file = join(directory, "work", buildId.split(":")[1]!, "src", name);
  return eventually(() => {
    if (!existsSync(file)) throw new Error(`${name} not made yet`);
  });
}

/** Whether the process still runs: a killed one nobody has reaped yet (a zombie) does not. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("CodeBuildEmulator through CodeBuildClient", () => {
  let dir: ReturnType<typeof tempDir>;
  let h: CodeBuildHarness;

  beforeEach(async () => {
    dir = tempDir("codebuild");
    h = await startCodeBuild(dir.path);
  });
  afterEach(async () => {
    await h.stop();
    dir.remove();
  });

  it("runs a build to SUCCEEDED in its own copy of the source, and uploads its artifacts", async () => {
    const sourceLocationOverride = await h.source("sources/run-1.zip", {
      "check.sh": { content: "#!/bin/bash\necho checked $1\n", mode: 0o100755 },
      "src/data.txt": "data",
    });
    const started = await h.start({
      sourceTypeOverride: "S3",
      sourceLocationOverride,
      buildspecOverride: buildspec(
        {
          install: ["export FROM_INSTALL=installed", "cd src"],
          build: [
            "mkdir -p $CODEBUILD_SRC_DIR/.amelia-results/logs",
            "../check.sh one > $CODEBUILD_SRC_DIR/.amelia-results/0.log",
            'echo "{\\"from\\":\\"$FROM_INSTALL\\",\\"pwd\\":\\"$(basename $PWD)\\",\\"var\\":\\"$FROM_SPEC\\",\\"override\\":\\"$FROM_OVERRIDE\\"}" > $CODEBUILD_SRC_DIR/.amelia-results/results.json',
            "env | cut -d= -f1 | sort > $CODEBUILD_SRC_DIR/.amelia-results/logs/env.txt",
          ],
        },
        "{ FROM_SPEC: spec, FROM_OVERRIDE: spec }",
      ),
      timeoutInMinutesOverride: 10,
      artifactsOverride: artifactsOverride("run-1"),
      environmentVariablesOverride: [
        { name: "FROM_OVERRIDE", value: "override", type: "PLAINTEXT" },
      ],
    });
    expect(started).toMatchObject({
      buildStatus: "IN_PROGRESS",
      buildComplete: false,
      projectName: CHECKS_PROJECT,
      timeoutInMinutes: 10,
    });
    expect(started.id).toMatch(new RegExp(`^${CHECKS_PROJECT}:[0-9a-f-]{36}$`));
    expect(started.arn).toBe(`arn:aws:codebuild:us-east-1:000000000000:build/${started.id}`);
    expect(started.startTime).toBeInstanceOf(Date);

    const build = await h.untilComplete(started.id!);
    expect(build).toMatchObject({ buildStatus: "SUCCEEDED", currentPhase: "COMPLETED" });
    expect(build.endTime!.getTime()).toBeGreaterThanOrEqual(build.startTime!.getTime());
    expect(phaseSummary(build)).toEqual([
      "SUBMITTED:SUCCEEDED",
      "QUEUED:SUCCEEDED",
      "PROVISIONING:SUCCEEDED",
      "DOWNLOAD_SOURCE:SUCCEEDED",
      "INSTALL:SUCCEEDED",
      "PRE_BUILD:SUCCEEDED",
      "BUILD:SUCCEEDED",
      "POST_BUILD:SUCCEEDED",
      "UPLOAD_ARTIFACTS:SUCCEEDED",
      "FINALIZING:SUCCEEDED",
      "COMPLETED:-",
    ]);

    // One shell: install's export and cd reach the build phase; overrides win over the buildspec.
    expect(JSON.parse((await h.object("results/run-1/results.json"))!)).toEqual({
      from: "installed",
      pwd: "src",
      var: "spec",
      override: "override",
    });
    // The executable bit survived the zip.
    expect(await h.object("results/run-1/0.log")).toBe("checked one\n");
    const envNames = (await h.object("results/run-1/logs/env.txt"))!.trim().split("\n");
    expect(envNames).toEqual(
      expect.arrayContaining([
        "PATH",
        "HOME",
        "LANG",
        "CI",
        "CODEBUILD_SRC_DIR",
        "CODEBUILD_BUILD_ID",
      ]),
    );
    // Nothing of the runtime's environment (its AWS credentials, its settings) got in.
    const allowed = new Set([
      "PATH",
      "HOME",
      "LANG",
      "CI",
      "CODEBUILD_SRC_DIR",
      "CODEBUILD_BUILD_ID",
    ]);
    const extra = envNames.filter(
      (name) =>
        !allowed.has(name) && !["FROM_SPEC", "FROM_OVERRIDE", "FROM_INSTALL"].includes(name),
    );
    // bash itself sets these few.
    expect(extra.every((name) => ["PWD", "SHLVL", "_", "OLDPWD"].includes(name))).toBe(true);
    expect(readdirSync(join(dir.path, "codebuild", "work"))).toEqual([]);
  });

  it("fails a build whose command fails (FAILED in that phase), and still uploads the artifacts", async () => {
    const sourceLocationOverride = await h.source("sources/run-2.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      buildspecOverride: buildspec({
        build: [
          "mkdir -p .amelia-results && echo partial > .amelia-results/results.json",
          "exit 3",
          "echo never > .amelia-results/never.txt",
        ],
      }),
      artifactsOverride: artifactsOverride("run-2"),
    });
    const build = await h.untilComplete(id!);
    expect(build.buildStatus).toBe("FAILED");
    const failed = build.phases!.find((phase) => phase.phaseType === "BUILD");
    expect(failed).toMatchObject({
      phaseStatus: "FAILED",
      contexts: [
        {
          statusCode: "COMMAND_EXECUTION_ERROR",
          message: "Error while executing command: exit 3. Reason: exit status 3",
        },
      ],
    });
    expect(phaseSummary(build).slice(-4)).toEqual([
      "BUILD:FAILED",
      "UPLOAD_ARTIFACTS:SUCCEEDED",
      "FINALIZING:SUCCEEDED",
      "COMPLETED:-",
    ]);
    expect(await h.object("results/run-2/results.json")).toBe("partial\n");
    expect(await h.object("results/run-2/never.txt")).toBeUndefined();
  });

  it("skips the later phases after a failed install, and never uploads a link to a host file", async () => {
    const sourceLocationOverride = await h.source("sources/run-3.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      buildspecOverride: buildspec({
        install: [
          "mkdir -p .amelia-results && ln -s /etc/hostname .amelia-results/leak.txt",
          "echo kept > .amelia-results/kept.txt",
          "false",
        ],
        build: ["echo ran > .amelia-results/build.txt"],
      }),
      artifactsOverride: artifactsOverride("run-3"),
    });
    const build = await h.untilComplete(id!);
    expect(build.buildStatus).toBe("FAILED");
    expect(phaseSummary(build)).not.toContain("BUILD:SUCCEEDED");
    expect(phaseSummary(build)).toContain("INSTALL:FAILED");
    expect(await h.object("results/run-3/kept.txt")).toBe("kept\n");
    expect(await h.object("results/run-3/build.txt")).toBeUndefined();
    expect(await h.object("results/run-3/leak.txt")).toBeUndefined();
  });

  it("times a build out at its timeout (TIMED_OUT), its processes killed", async () => {
    const sourceLocationOverride = await h.source("sources/run-4.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      // 5 minutes is 500 ms with the tests' minute.
      timeoutInMinutesOverride: 5,
      buildspecOverride: buildspec({ build: ['sleep 30 & echo "PID=$!"; wait'] }),
      artifactsOverride: artifactsOverride("run-4"),
    });
    const build = await h.untilComplete(id!, 5000);
    expect(build.buildStatus).toBe("TIMED_OUT");
    expect(phaseSummary(build)).toContain("BUILD:TIMED_OUT");
    const pids = printedPids(join(dir.path, "codebuild"), id!);
    expect(pids).toHaveLength(1);
    expect(isRunning(pids[0]!)).toBe(false);
  });

  it("stops a build with StopBuild (STOPPED), its whole process tree gone", async () => {
    const sourceLocationOverride = await h.source("sources/run-5.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      buildspecOverride: buildspec({
        build: [
          '(sleep 30 & echo "PID=$!"; wait) & echo "PID=$!"; sleep 0.1; touch started; wait',
          "echo after",
        ],
      }),
      artifactsOverride: artifactsOverride("run-5"),
    });
    await untilMade(join(dir.path, "codebuild"), id!, "started");
    const started = Date.now();
    const { build } = await h.client.send(new codeBuild.StopBuildCommand({ id }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(build).toMatchObject({ buildStatus: "STOPPED", buildComplete: true });
    expect(phaseSummary(build!)).toContain("BUILD:STOPPED");
    expect(phaseSummary(build!)).not.toContain("UPLOAD_ARTIFACTS:SUCCEEDED");
    const pids = printedPids(join(dir.path, "codebuild"), id!);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    // Stopping a stopped build answers it as it is.
    const again = await h.client.send(new codeBuild.StopBuildCommand({ id }));
    expect(again.build?.buildStatus).toBe("STOPPED");
  });

  it("fails a build whose source or buildspec cannot be had, in DOWNLOAD_SOURCE", async () => {
    const missing = await h.start({ sourceLocationOverride: `${CHECKS_BUCKET}/sources/none.zip` });
    const noSource = await h.untilComplete(missing.id!);
    expect(noSource.buildStatus).toBe("FAILED");
    expect(noSource.phases!.find((p) => p.phaseType === "DOWNLOAD_SOURCE")).toMatchObject({
      phaseStatus: "FAILED",
      contexts: [{ statusCode: "CLIENT_ERROR" }],
    });
    const sourceLocationOverride = await h.source("sources/run-6.zip", { "a.txt": "a" });
    const badSpec = await h.start({
      sourceLocationOverride,
      buildspecOverride: "version: 0.2\nphases:\n  build:\n    commands: [ls]\n    finally: [ls]\n",
    });
    const yamlError = await h.untilComplete(badSpec.id!);
    expect(yamlError.phases!.find((p) => p.phaseType === "DOWNLOAD_SOURCE")).toMatchObject({
      phaseStatus: "FAILED",
      contexts: [{ statusCode: "YAML_FILE_ERROR", message: expect.stringContaining("finally") }],
    });
  });

  it("runs the source's own buildspec.yml without an override, never one behind a link", async () => {
    const own = await h.start({
      sourceLocationOverride: await h.source("sources/own.zip", {
        "buildspec.yml": buildspec({
          build: ["mkdir -p .amelia-results", "echo own > .amelia-results/own.txt"],
        }),
      }),
      artifactsOverride: artifactsOverride("own"),
    });
    expect((await h.untilComplete(own.id!)).buildStatus).toBe("SUCCEEDED");
    expect(await h.object("results/own/own.txt")).toBe("own\n");

    const linked = await h.start({
      sourceLocationOverride: await h.source("sources/linked.zip", {
        "buildspec.yml": { content: "/etc/passwd", mode: 0o120777 },
      }),
    });
    const refused = await h.untilComplete(linked.id!);
    const download = refused.phases!.find((p) => p.phaseType === "DOWNLOAD_SOURCE")!;
    // Refused as a link, not read: what it points to is neither parsed nor quoted.
    expect(download.contexts![0]).toMatchObject({
      statusCode: "YAML_FILE_ERROR",
      message: expect.stringMatching(/^no buildspec.yml: ELOOP/),
    });
  });

  it("refuses bad input as CodeBuild does", async () => {
    const sourceLocationOverride = await h.source("sources/run-7.zip", { "a.txt": "a" });
    const unknownProject = h.client.send(
      new codeBuild.StartBuildCommand({ projectName: "other", sourceLocationOverride }),
    );
    await expect(unknownProject).rejects.toBeInstanceOf(codeBuild.ResourceNotFoundException);
    for (const input of [
      { sourceLocationOverride, timeoutInMinutesOverride: 2 },
      { sourceLocationOverride: "no-key" },
      {},
      { sourceLocationOverride, imageOverride: "aws/codebuild/standard:7.0" },
      { sourceLocationOverride, sourceTypeOverride: "GITHUB" as const },
      {
        sourceLocationOverride,
        environmentVariablesOverride: [
          { name: "SECRET", value: "x", type: "SECRETS_MANAGER" as const },
        ],
      },
      {
        sourceLocationOverride,
        artifactsOverride: { ...artifactsOverride("r"), packaging: "ZIP" as const },
      },
    ]) {
      await expect(h.start(input)).rejects.toBeInstanceOf(codeBuild.InvalidInputException);
    }
    const { builds, buildsNotFound } = await h.client.send(
      new codeBuild.BatchGetBuildsCommand({ ids: [`${CHECKS_PROJECT}:nope`] }),
    );
    expect(builds).toEqual([]);
    expect(buildsNotFound).toEqual([`${CHECKS_PROJECT}:nope`]);
    const stopUnknown = h.client.send(
      new codeBuild.StopBuildCommand({ id: `${CHECKS_PROJECT}:nope` }),
    );
    await expect(stopUnknown).rejects.toBeInstanceOf(codeBuild.ResourceNotFoundException);
  });

  it("reports a build that was running when its runtime went away as FAULT after a restart", async () => {
    const sourceLocationOverride = await h.source("sources/run-8.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      buildspecOverride: buildspec({ build: ["sleep 30"] }),
    });
    await h.untilPhase(id!, "BUILD");
    // A second emulator over the same directory is the runtime started again after a crash.
    const restarted = new CodeBuildEmulator({
      project: { name: CHECKS_PROJECT, timeoutInMinutes: 15 },
      objects: new ObjectStore(join(dir.path, "s3")),
      sandbox: sandboxFor("unsafe-host"),
      directory: join(dir.path, "codebuild"),
    });
    const { builds } = (await restarted.handle("BatchGetBuilds", { ids: [id] })) as {
      builds: codeBuild.Build[];
    };
    expect(builds[0]).toMatchObject({
      buildStatus: "FAULT",
      buildComplete: true,
      currentPhase: "COMPLETED",
    });
    expect(phaseSummary(builds[0]!)).toContain("BUILD:FAULT");
    await restarted.close();
  });

  it("ends running builds when it closes, so none is left IN_PROGRESS", async () => {
    const sourceLocationOverride = await h.source("sources/run-9.zip", { "a.txt": "a" });
    const { id } = await h.start({
      sourceLocationOverride,
      buildspecOverride: buildspec({ build: ['sleep 30 & echo "PID=$!"; touch started; wait'] }),
    });
    await untilMade(join(dir.path, "codebuild"), id!, "started");
    await h.emulator.close();
    const build = await h.emulator.completion(id!);
    expect(build.buildStatus).toBe("FAULT");
    expect(isRunning(printedPids(join(dir.path, "codebuild"), id!)[0]!)).toBe(false);
    expect(existsSync(join(dir.path, "codebuild", "builds"))).toBe(true);
  });
});
