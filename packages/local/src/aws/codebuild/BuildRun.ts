import { constants } from "node:fs";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SandboxUnavailableError, type Sandbox } from "../../sandbox/Sandbox";
import { AwsServiceError } from "../protocol/AwsServiceError";
import type { ObjectStore } from "../s3/ObjectStore";
import { ArtifactsError, uploadArtifacts, type ArtifactsDestination } from "./artifacts";
import type { BuildProgress } from "./BuildProgress";
import { buildScript, phaseType, ScriptProgress } from "./buildScript";
import {
  BuildspecError,
  COMMAND_PHASES,
  parseBuildspec,
  type Buildspec,
  type CommandPhase,
} from "./buildspec";
import { extractZip, SourceArchiveError } from "./sourceArchive";

/** What StartBuild asked for, checked. */
export interface BuildRequest {
  source: { bucket: string; key: string };
  /** An inline buildspec; without one, `buildspec.yml` at the root of the source. */
  buildspec?: string;
  timeoutMs: number;
  /** environmentVariablesOverride. */
  variables: Record<string, string>;
  /** Where the artifacts go (artifactsOverride of type S3), if anywhere. */
  artifacts?: ArtifactsDestination;
}

export interface BuildRunContext {
  objects: ObjectStore;
  sandbox: Sandbox;
  /** The build's own directory, made fresh and removed after: its copy of the source. */
  workDirectory: string;
  /** Where the tail of the build's output is kept. */
  logFile: string;
  /** AMELIA_SANDBOX_SETUP_NETWORK=allow: the install phase may have the network if it asks. */
  setupNetworkAllowed: boolean;
  /** Aborted with "stop" (StopBuild) or "shutdown" (the runtime closing). */
  signal: AbortSignal;
}

export type StopReason = "stop" | "shutdown";

/** The environment variable by which a build asks for the network in its install phase. */
const SETUP_NETWORK_VARIABLE = "AMELIA_SETUP_NETWORK";
/** How much of a build's output its log keeps: the end, where a failure shows. */
const LOG_TAIL_BYTES = 1024 * 1024;
const SOURCE_LIMITS = { maxBytes: 2 * 1024 * 1024 * 1024, maxEntries: 200_000 };
const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
/** System directories, after the Node.js install the runtime itself uses. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs one build to its end, as CodeBuild would: DOWNLOAD_SOURCE (the zip from the object
 * store, unpacked into a fresh directory; the buildspec read), then the command phases in the
 * sandbox, UPLOAD_ARTIFACTS (also after a failed or timed-out phase, not after a stop), and
 * FINALIZING. The build's directory is removed at the end. It never throws: what goes wrong
 * ends the build with a status and a phase context.
 */
export async function runBuild(
  progress: BuildProgress,
  request: BuildRequest,
  context: BuildRunContext,
): Promise<void> {
  const deadline = Date.now() + request.timeoutMs;
  const sourceDirectory = path.join(context.workDirectory, "src");
  const log = new LogTail(LOG_TAIL_BYTES);
  try {
    for (const phase of ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE"]) {
      progress.enter(phase);
    }
    const buildspec = await downloadSource(progress, request, context, sourceDirectory);
    if (buildspec) {
      await runCommandPhases(progress, buildspec, request, context, {
        sourceDirectory,
        deadline,
        log,
      });
      if (progress.failedWith !== "STOPPED" && progress.failedWith !== "FAULT") {
        await artifactsPhase(progress, buildspec, request, context, sourceDirectory);
      }
    }
  } catch (error) {
    progress.fail("FAULT", { statusCode: "INTERNAL_ERROR", message: errorText(error) });
  } finally {
    // Complete only once its log is written and its directory gone, so a caller sees both.
    try {
      await writeFile(context.logFile, log.contents(), { mode: 0o600 });
      await rm(context.workDirectory, { recursive: true, force: true });
    } finally {
      progress.finish();
    }
  }
}

async function downloadSource(
  progress: BuildProgress,
  request: BuildRequest,
  context: BuildRunContext,
  sourceDirectory: string,
): Promise<Buildspec | undefined> {
  const { bucket, key } = request.source;
  try {
    const archive = await context.objects.get(bucket, key);
    if (!archive) {
      progress.fail("FAILED", {
        statusCode: "CLIENT_ERROR",
        message: `NoSuchKey: no object ${key} in bucket ${bucket}`,
      });
      return undefined;
    }
    await mkdir(sourceDirectory, { recursive: true, mode: 0o700 });
    await extractZip(archive.body, sourceDirectory, SOURCE_LIMITS);
  } catch (error) {
    if (!(error instanceof SourceArchiveError || isServiceError(error))) throw error;
    progress.fail("FAILED", { statusCode: "CLIENT_ERROR", message: errorText(error) });
    return undefined;
  }
  try {
    return parseBuildspec(request.buildspec ?? (await sourceBuildspec(sourceDirectory)));
  } catch (error) {
    const message =
      error instanceof BuildspecError ? error.message : `no buildspec.yml: ${errorText(error)}`;
    progress.fail("FAILED", { statusCode: "YAML_FILE_ERROR", message });
    return undefined;
  }
}

/** The source's own buildspec.yml, never through a link: a parse error would quote the target. */
async function sourceBuildspec(sourceDirectory: string): Promise<string> {
  const file = await open(
    path.join(sourceDirectory, "buildspec.yml"),
    constants.O_RDONLY | constants.O_NOFOLLOW,
  );
  try {
    return await file.readFile("utf8");
  } finally {
    await file.close();
  }
}

async function runCommandPhases(
  progress: BuildProgress,
  buildspec: Buildspec,
  request: BuildRequest,
  context: BuildRunContext,
  run: { sourceDirectory: string; deadline: number; log: LogTail },
): Promise<void> {
  const env = buildEnvironment(progress.build.id, run.sourceDirectory, buildspec, request);
  const phases: CommandPhase[] = COMMAND_PHASES.map((name) => ({
    name,
    commands: buildspec.phases.find((phase) => phase.name === name)?.commands ?? [],
  }));
  const setupNetwork = context.setupNetworkAllowed && env[SETUP_NETWORK_VARIABLE] === "true";
  // The sandbox gives a whole run the network or none, so install then runs in a shell of its own.
  const runs = setupNetwork
    ? [
        { phases: phases.slice(0, 1), network: true },
        { phases: phases.slice(1), network: false },
      ]
    : [{ phases, network: false }];
  for (const { phases: runPhases, network } of runs) {
    progress.enter(phaseType(runPhases[0]!.name));
    const script = new ScriptProgress((phase) => progress.enter(phase));
    const remaining = run.deadline - Date.now();
    if (context.signal.aborted) return stopped(progress, context.signal);
    if (remaining <= 0) return timedOut(progress, request);
    let result;
    try {
      result = await context.sandbox.run({
        directory: run.sourceDirectory,
        command: buildScript(runPhases),
        env,
        timeoutMs: remaining,
        network,
        signal: context.signal,
        onOutput: (chunk) => {
          run.log.write(chunk);
          script.write(chunk);
        },
      });
    } catch (error) {
      if (!(error instanceof SandboxUnavailableError)) throw error;
      run.log.write(Buffer.from(`${error.message}\n`));
      progress.fail("FAULT", { statusCode: "SANDBOX_UNAVAILABLE", message: error.message });
      return;
    }
    if (result.aborted) return stopped(progress, context.signal);
    if (result.timedOut) return timedOut(progress, request);
    if (result.exitCode !== 0) {
      const reason =
        result.exitCode === null ? "killed by a signal" : `exit status ${result.exitCode}`;
      progress.fail("FAILED", {
        statusCode: "COMMAND_EXECUTION_ERROR",
        message: `Error while executing command: ${script.command ?? "(none)"}. Reason: ${reason}`,
      });
      return;
    }
    // A script that ended early (an `exit 0`) still completes its remaining phases.
    for (const phase of runPhases) progress.enter(phaseType(phase.name));
  }
  progress.enter("POST_BUILD");
}

async function artifactsPhase(
  progress: BuildProgress,
  buildspec: Buildspec,
  request: BuildRequest,
  context: BuildRunContext,
  sourceDirectory: string,
): Promise<void> {
  // UPLOAD_ARTIFACTS follows a failed phase too: the build's status stays the failure's.
  progress.enter("UPLOAD_ARTIFACTS");
  if (!request.artifacts || !buildspec.artifacts) return;
  try {
    await uploadArtifacts(
      sourceDirectory,
      buildspec.artifacts,
      request.artifacts,
      context.objects,
      MAX_ARTIFACT_BYTES,
    );
  } catch (error) {
    if (!(error instanceof ArtifactsError || isServiceError(error))) throw error;
    progress.fail("FAILED", { statusCode: "CLIENT_ERROR", message: errorText(error) });
  }
}

/**
 * The whole environment of the build: nothing of the runtime's own, only what CodeBuild would
 * set, the buildspec's variables and the overrides (which win, as in CodeBuild). The sandbox adds
 * a HOME of the run's own.
 */
function buildEnvironment(
  buildId: string,
  sourceDirectory: string,
  buildspec: Buildspec,
  request: BuildRequest,
): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:${SYSTEM_PATH}`,
    LANG: "C.UTF-8",
    CI: "true",
    ...buildspec.variables,
    ...request.variables,
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_SRC_DIR: sourceDirectory,
  };
}

function stopped(progress: BuildProgress, signal: AbortSignal): void {
  if ((signal.reason as StopReason) === "shutdown") {
    progress.fail("FAULT", {
      statusCode: "BUILD_INTERRUPTED",
      message: "The local runtime stopped while the build ran",
    });
  } else {
    progress.fail("STOPPED", { statusCode: "BUILD_STOPPED", message: "The build was stopped" });
  }
}

function timedOut(progress: BuildProgress, request: BuildRequest): void {
  progress.fail("TIMED_OUT", {
    statusCode: "BUILD_TIMED_OUT",
    message: `Build timed out after ${Math.round(request.timeoutMs / 1000)} seconds`,
  });
}

function isServiceError(error: unknown): boolean {
  return error instanceof AwsServiceError;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Keeps the last `limit` bytes written: the runtime's memory stays flat whatever a build prints. */
class LogTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  write(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  contents(): Buffer {
    const notice =
      this.dropped > 0 ? [Buffer.from(`[${this.dropped} earlier bytes not kept]\n`)] : [];
    return Buffer.concat([...notice, ...this.chunks]);
  }
}
