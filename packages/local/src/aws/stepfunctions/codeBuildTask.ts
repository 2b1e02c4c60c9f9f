import type { Build } from "../codebuild/BuildStore";
import { AwsServiceError } from "../protocol/AwsServiceError";
import { TaskFailure } from "./taskErrors";

/** What a `codebuild:startBuild.sync` Task needs of CodeBuild: the local emulator, in this process. */
export interface CodeBuildIntegration {
  startBuild(input: Record<string, unknown>): Build;
  /** Resolves with the build once it has ended. */
  completion(id: string): Promise<Build>;
  stopBuild(id: string): Promise<Build>;
}

/** The members of a build that are timestamps (epoch seconds in the API). */
const TIMESTAMPS = new Set(["startTime", "endTime"]);

/**
 * StartBuild's input from the Task's Parameters: Step Functions takes them in PascalCase
 * (`SourceLocationOverride`, `ArtifactsOverride.Type`) for CodeBuild's camelCase API.
 */
export function startBuildInput(parameters: unknown): Record<string, unknown> {
  const input = recase(parameters, (key) => key.charAt(0).toLowerCase() + key.slice(1));
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new TaskFailure("States.Runtime", "The CodeBuild Task's Parameters must be an object");
  }
  return input as Record<string, unknown>;
}

/** A StartBuild refusal as the optimized integration reports it: `CodeBuild.<exception>`. */
export function startBuildFailure(error: unknown): unknown {
  return error instanceof AwsServiceError
    ? new TaskFailure(`CodeBuild.${error.type}`, error.message)
    : error;
}

/**
 * The Task's result once the build has ended, as the optimized integration gives it: the build
 * in PascalCase under `Build` (timestamps in epoch milliseconds). A build that did not succeed
 * fails the Task, with that same JSON as its Cause.
 */
export function buildResult(build: Build): { Build: unknown } {
  const result = {
    Build: recase(withMilliseconds(build), (key) => key.charAt(0).toUpperCase() + key.slice(1)),
  };
  if (build.buildStatus !== "SUCCEEDED") {
    throw new TaskFailure("States.TaskFailed", JSON.stringify(result));
  }
  return result;
}

function withMilliseconds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withMilliseconds);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      TIMESTAMPS.has(key) && typeof member === "number"
        ? Math.round(member * 1000)
        : withMilliseconds(member),
    ]),
  );
}

function recase(value: unknown, key: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => recase(item, key));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => [key(name), recase(member, key)]),
  );
}
