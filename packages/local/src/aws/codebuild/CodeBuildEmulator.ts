import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Sandbox } from "../../sandbox/Sandbox";
import { consoleLog, type EmulatorLog } from "../../log";
import { optionalString, requiredString } from "../protocol/apiInput";
import { AwsServiceError } from "../protocol/AwsServiceError";
import type { JsonService } from "../protocol/JsonService";
import type { ObjectStore } from "../s3/ObjectStore";
import type { ArtifactsDestination } from "./artifacts";
import { BuildProgress, interrupted, nowSeconds } from "./BuildProgress";
import { runBuild, type BuildRequest, type StopReason } from "./BuildRun";
import { BuildStore, buildUuid, type Build, type EnvironmentVariable } from "./BuildStore";

/** The one CodeBuild project the runtime defines. */
export interface CodeBuildProject {
  name: string;
  /** The build timeout when StartBuild gives none (CodeBuild's default is 60). */
  timeoutInMinutes: number;
}

export interface CodeBuildEmulatorOptions {
  project: CodeBuildProject;
  /** The S3 emulator's storage: sources are read from it and artifacts written to it. */
  objects: ObjectStore;
  /** Where the build commands run. */
  sandbox: Sandbox;
  /** Its own data: a JSON file per build, the build logs, and the builds' working directories. */
  directory: string;
  /** AMELIA_SANDBOX_SETUP_NETWORK=allow: a build asking for it gets the network in install. */
  setupNetworkAllowed?: boolean;
  region?: string;
  account?: string;
  /** How long a minute of build timeout lasts, in ms; only tests shorten it. */
  minuteMs?: number;
  log?: EmulatorLog;
}

const INVALID_INPUT = "InvalidInputException";
const MIN_TIMEOUT_MINUTES = 5;
const MAX_TIMEOUT_MINUTES = 2160;
const MAX_BATCH_IDS = 100;
/** The StartBuild members the emulator runs; any other is refused rather than ignored. */
const START_BUILD_MEMBERS = new Set([
  "projectName",
  "sourceTypeOverride",
  "sourceLocationOverride",
  "buildspecOverride",
  "timeoutInMinutesOverride",
  "artifactsOverride",
  "environmentVariablesOverride",
]);

interface RunningBuild {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * CodeBuild (JSON 1.1, `CodeBuild_20161006.*`) for one project: StartBuild, BatchGetBuilds and
 * StopBuild. A build fetches its source zip from the S3 emulator's storage, runs its buildspec
 * in the sandbox and uploads its artifacts there. Builds run in this process; each is persisted,
 * so after a restart BatchGetBuilds still answers, and one that was running is reported FAULT,
 * never IN_PROGRESS forever.
 */
export class CodeBuildEmulator implements JsonService {
  readonly targetPrefix = "CodeBuild_20161006";
  readonly jsonVersion = "1.1";

  private readonly builds = new Map<string, Build>();
  private readonly running = new Map<string, RunningBuild>();
  private readonly completions = new Map<string, Set<(build: Build) => void>>();
  private readonly store: BuildStore;
  private readonly region: string;
  private readonly account: string;
  private readonly workRoot: string;
  private readonly logRoot: string;
  private closed = false;

  constructor(private readonly options: CodeBuildEmulatorOptions) {
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? "000000000000";
    this.store = new BuildStore(path.join(options.directory, "builds"));
    this.workRoot = path.join(options.directory, "work");
    this.logRoot = path.join(options.directory, "logs");
    // Whatever a previous run left being built is gone with its processes.
    rmSync(this.workRoot, { recursive: true, force: true });
    mkdirSync(this.workRoot, { recursive: true, mode: 0o700 });
    mkdirSync(this.logRoot, { recursive: true, mode: 0o700 });
    for (const build of this.store.load()) {
      if (!build.buildComplete) {
        this.store.save(interrupted(build, "The local runtime stopped while the build ran"));
      }
      this.builds.set(build.id, build);
    }
  }

  get projectArn(): string {
    return `arn:aws:codebuild:${this.region}:${this.account}:project/${this.options.project.name}`;
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case "StartBuild":
        return { build: this.startBuild(input) };
      case "BatchGetBuilds":
        return this.batchGetBuilds(input);
      case "StopBuild":
        return { build: await this.stopBuild(requiredString(input, "id", INVALID_INPUT)) };
      default:
        throw new AwsServiceError(
          "UnknownOperationException",
          `${operation} is not emulated locally`,
        );
    }
  }

  /** StartBuild: the new build, IN_PROGRESS; it runs after this returns. */
  startBuild(input: Record<string, unknown>): Build {
    if (this.closed) throw new AwsServiceError("ServiceUnavailable", "The runtime is stopping");
    const unknown = Object.keys(input).filter((member) => !START_BUILD_MEMBERS.has(member));
    if (unknown.length > 0) {
      throw new AwsServiceError(INVALID_INPUT, `${unknown.join(", ")} is not emulated locally`);
    }
    this.checkProject(requiredString(input, "projectName", INVALID_INPUT));
    const sourceType = optionalString(input, "sourceTypeOverride", INVALID_INPUT) ?? "S3";
    if (sourceType !== "S3") {
      throw new AwsServiceError(INVALID_INPUT, `sourceTypeOverride ${sourceType} is not emulated`);
    }
    const location = optionalString(input, "sourceLocationOverride", INVALID_INPUT);
    if (location === undefined) {
      throw new AwsServiceError(
        INVALID_INPUT,
        "sourceLocationOverride is required: the local project has no source of its own",
      );
    }
    const source = s3Location(location, "sourceLocationOverride");
    const timeoutInMinutes = this.timeoutInMinutes(input.timeoutInMinutesOverride);
    const variables = environmentVariables(input.environmentVariablesOverride);
    const artifacts = artifactsDestination(input.artifactsOverride);
    const buildspec = optionalString(input, "buildspecOverride", INVALID_INPUT);

    const uuid = randomUUID();
    const id = `${this.options.project.name}:${uuid}`;
    const build: Build = {
      id,
      arn: `arn:aws:codebuild:${this.region}:${this.account}:build/${id}`,
      buildNumber: this.builds.size + 1,
      startTime: nowSeconds(),
      currentPhase: "SUBMITTED",
      buildStatus: "IN_PROGRESS",
      buildComplete: false,
      projectName: this.options.project.name,
      phases: [],
      source: { type: "S3", location, ...(buildspec !== undefined && { buildspec }) },
      ...(artifacts && {
        artifacts: { location: `arn:aws:s3:::${artifacts.bucket}/${artifacts.prefix}` },
      }),
      timeoutInMinutes,
      initiator: "local",
      environment: {
        type: "LINUX_CONTAINER",
        image: "local-sandbox",
        computeType: "BUILD_GENERAL1_SMALL",
        environmentVariables: Object.entries(variables).map(
          ([name, value]): EnvironmentVariable => ({ name, value, type: "PLAINTEXT" }),
        ),
      },
    };
    this.builds.set(id, build);
    this.store.save(build);
    const request: BuildRequest = {
      source,
      ...(buildspec !== undefined && { buildspec }),
      timeoutMs: timeoutInMinutes * (this.options.minuteMs ?? 60_000),
      variables,
      ...(artifacts && { artifacts }),
    };
    this.run(build, request);
    return structuredClone(build);
  }

  /** StopBuild: kills the build's commands and answers once it has ended (STOPPED). */
  async stopBuild(id: string): Promise<Build> {
    const build = this.existing(id);
    const running = this.running.get(id);
    if (running) {
      running.controller.abort("stop" satisfies StopReason);
      await running.done;
    }
    return structuredClone(build);
  }

  /** Resolves with the build once it is complete (at once if it is already). */
  completion(id: string): Promise<Build> {
    const build = this.existing(id);
    if (build.buildComplete) return Promise.resolve(structuredClone(build));
    return new Promise((resolve) => {
      const waiting = this.completions.get(id) ?? new Set();
      waiting.add(resolve);
      this.completions.set(id, waiting);
    });
  }

  /** Ends every running build (their whole process trees), each reported FAULT. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.running.values()];
    for (const build of running) build.controller.abort("shutdown" satisfies StopReason);
    await Promise.all(running.map((build) => build.done));
    this.store.close();
  }

  private batchGetBuilds(input: Record<string, unknown>) {
    const ids = input.ids;
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > MAX_BATCH_IDS ||
      ids.some((id) => typeof id !== "string")
    ) {
      throw new AwsServiceError(INVALID_INPUT, `ids must hold 1 to ${MAX_BATCH_IDS} build ids`);
    }
    const builds: Build[] = [];
    const buildsNotFound: string[] = [];
    for (const id of ids as string[]) {
      const build = this.builds.get(this.idOf(id));
      if (build) builds.push(structuredClone(build));
      else buildsNotFound.push(id);
    }
    return { builds, buildsNotFound };
  }

  private run(build: Build, request: BuildRequest): void {
    const controller = new AbortController();
    const uuid = buildUuid(build.id);
    const progress = new BuildProgress(build, (changed) => this.store.save(changed));
    const done = runBuild(progress, request, {
      objects: this.options.objects,
      sandbox: this.options.sandbox,
      workDirectory: path.join(this.workRoot, uuid),
      logFile: path.join(this.logRoot, `${uuid}.log`),
      setupNetworkAllowed: this.options.setupNetworkAllowed ?? false,
      signal: controller.signal,
    })
      .catch((error: unknown) =>
        (this.options.log ?? consoleLog)("CodeBuild emulator build failed", {
          buildId: build.id,
          error,
        }),
      )
      .finally(() => {
        this.running.delete(build.id);
        for (const resolve of this.completions.get(build.id) ?? []) resolve(structuredClone(build));
        this.completions.delete(build.id);
      });
    this.running.set(build.id, { controller, done });
  }

  private existing(id: string): Build {
    const build = this.builds.get(this.idOf(id));
    if (!build) throw new AwsServiceError("ResourceNotFoundException", `Build ${id} not found`);
    return build;
  }

  /** A build id, also when given as the build's ARN. */
  private idOf(idOrArn: string): string {
    const marker = ":build/";
    const at = idOrArn.indexOf(marker);
    return at >= 0 && idOrArn.startsWith("arn:") ? idOrArn.slice(at + marker.length) : idOrArn;
  }

  private checkProject(nameOrArn: string): void {
    if (nameOrArn !== this.options.project.name && nameOrArn !== this.projectArn) {
      throw new AwsServiceError(
        "ResourceNotFoundException",
        `Project cannot be found: arn:aws:codebuild:${this.region}:${this.account}:project/${nameOrArn}`,
      );
    }
  }

  private timeoutInMinutes(value: unknown): number {
    if (value === undefined || value === null) return this.options.project.timeoutInMinutes;
    if (
      typeof value !== "number" ||
      !Number.isInteger(value) ||
      value < MIN_TIMEOUT_MINUTES ||
      value > MAX_TIMEOUT_MINUTES
    ) {
      throw new AwsServiceError(
        INVALID_INPUT,
        `timeoutInMinutesOverride must be a whole number from ${MIN_TIMEOUT_MINUTES} to ${MAX_TIMEOUT_MINUTES}`,
      );
    }
    return value;
  }
}

/** `<bucket>/<key>`, as CodeBuild takes an S3 location. */
function s3Location(location: string, member: string): { bucket: string; key: string } {
  const slash = location.indexOf("/");
  if (slash <= 0 || slash === location.length - 1) {
    throw new AwsServiceError(INVALID_INPUT, `${member} must be <bucket>/<key>, not ${location}`);
  }
  return { bucket: location.slice(0, slash), key: location.slice(slash + 1) };
}

function environmentVariables(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) {
    throw new AwsServiceError(INVALID_INPUT, "environmentVariablesOverride must be a list");
  }
  const variables: Record<string, string> = {};
  for (const item of value as unknown[]) {
    const variable = (item ?? {}) as Record<string, unknown>;
    const name = requiredString(variable, "name", INVALID_INPUT);
    const type = optionalString(variable, "type", INVALID_INPUT) ?? "PLAINTEXT";
    if (typeof variable.value !== "string") {
      throw new AwsServiceError(INVALID_INPUT, `Environment variable ${name} needs a value`);
    }
    if (type !== "PLAINTEXT") {
      throw new AwsServiceError(
        INVALID_INPUT,
        `Environment variables of type ${type} are not emulated`,
      );
    }
    if (name.startsWith("CODEBUILD_")) {
      throw new AwsServiceError(
        INVALID_INPUT,
        `Environment variable ${name}: CODEBUILD_ is reserved`,
      );
    }
    variables[name] = variable.value;
  }
  return variables;
}

function artifactsDestination(value: unknown): ArtifactsDestination | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AwsServiceError(INVALID_INPUT, "artifactsOverride must be an object");
  }
  const artifacts = value as Record<string, unknown>;
  const type = requiredString(artifacts, "type", INVALID_INPUT);
  if (type === "NO_ARTIFACTS") return undefined;
  if (type !== "S3")
    throw new AwsServiceError(INVALID_INPUT, `Artifacts type ${type} is not emulated`);
  for (const [member, only] of [
    ["packaging", "NONE"],
    ["namespaceType", "NONE"],
  ] as const) {
    const given = optionalString(artifacts, member, INVALID_INPUT) ?? only;
    if (given !== only) {
      throw new AwsServiceError(
        INVALID_INPUT,
        `artifacts ${member} ${given} is not emulated: use ${only}`,
      );
    }
  }
  const bucket = requiredString(artifacts, "location", INVALID_INPUT);
  const prefix = [
    optionalString(artifacts, "path", INVALID_INPUT),
    optionalString(artifacts, "name", INVALID_INPUT),
  ]
    .flatMap((part) => (part ?? "").split("/"))
    .filter((segment) => segment !== "")
    .join("/");
  return { bucket, prefix };
}
