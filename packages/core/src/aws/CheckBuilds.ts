import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetBuildsCommand,
  StartBuildCommand,
  type CodeBuildClient,
} from "@aws-sdk/client-codebuild";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { zipSync, type ZipOptions } from "fflate";
import { parseResults, type CheckResult } from "../checks/checkResults";
import {
  CHECKS_RESULTS_PATH,
  CHECKS_SOURCES_PATH,
  type ChecksResources,
  type ChecksRun,
} from "../definitions/stateMachine";

/** A file of the workspace snapshot a build checks. */
export interface SnapshotFile {
  path: string;
  bytes: Uint8Array;
  /** Kept in the archive (its Unix mode), so that `./script` runs in the build. */
  executable: boolean;
}

/** A zip entry's external attributes: a Unix mode in the high 16 bits, made on Unix (os 3). */
function unixEntry(file: SnapshotFile): [Uint8Array, ZipOptions] {
  const mode = file.executable ? 0o100755 : 0o100644;
  return [file.bytes, { os: 3, attrs: (mode << 16) >>> 0 }];
}

/** The results of a run as the build left them, each with its whole (capped) log. */
export interface RunResults {
  results: CheckResult[];
  logs: Map<string, Uint8Array>;
}

const POLL_MS = 1_000;

/**
 * The checks' builds on AWS: the source archive in S3, the build in CodeBuild, the results back
 * from S3. The state machine starts the verify step's build itself; the agents' tools start
 * theirs here, with the same inputs.
 */
export class CheckBuilds {
  constructor(
    private readonly s3: S3Client,
    private readonly codebuild: CodeBuildClient,
    private readonly resources: ChecksResources,
    private readonly pollMs = POLL_MS,
  ) {}

  /** Puts the snapshot as the run's source archive; returns `<bucket>/<key>` for the build. */
  async putSource(runId: string, files: readonly SnapshotFile[]): Promise<string> {
    const key = `${CHECKS_SOURCES_PATH}/${runId}.zip`;
    const archive = zipSync(Object.fromEntries(files.map((file) => [file.path, unixEntry(file)])));
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.resources.checksBucket, Key: key, Body: archive }),
    );
    return `${this.resources.checksBucket}/${key}`;
  }

  /** Runs a build as the verify step does, and waits for it to end; returns its status. */
  async runBuild(run: ChecksRun): Promise<string> {
    const started = await this.codebuild.send(
      new StartBuildCommand({
        projectName: this.resources.checksProject,
        sourceTypeOverride: "S3",
        sourceLocationOverride: run.sourceLocation,
        buildspecOverride: run.buildspec,
        artifactsOverride: {
          type: "S3",
          location: this.resources.checksBucket,
          path: CHECKS_RESULTS_PATH,
          name: run.runId,
          packaging: "NONE",
          namespaceType: "NONE",
        },
      }),
    );
    const id = started.build?.id;
    if (!id) throw new Error("CodeBuild started no build");
    for (;;) {
      const { builds } = await this.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }));
      const build = builds?.[0];
      if (build?.buildComplete) return build.buildStatus ?? "FAILED";
      await sleep(this.pollMs);
    }
  }

  /** The run's results and logs; undefined when the build left none (it never got to run). */
  async results(runId: string): Promise<RunResults | undefined> {
    const json = await this.read(`${CHECKS_RESULTS_PATH}/${runId}/results.json`);
    if (json === undefined) return undefined;
    const results = parseResults(Buffer.from(json).toString("utf8"));
    const logs = new Map<string, Uint8Array>();
    for (const result of results) {
      logs.set(
        result.logFile,
        (await this.read(`${CHECKS_RESULTS_PATH}/${runId}/${result.logFile}`)) ?? new Uint8Array(),
      );
    }
    return { results, logs };
  }

  private async read(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.resources.checksBucket, Key: key }),
      );
      return await object.Body?.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
