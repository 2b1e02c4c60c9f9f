import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export type BuildStatus =
  "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";
export type PhaseStatus = Exclude<BuildStatus, "IN_PROGRESS">;

export interface PhaseContext {
  statusCode: string;
  message: string;
}

/** One phase as BatchGetBuilds describes it; times in epoch seconds, as the JSON protocol sends them. */
export interface BuildPhase {
  phaseType: string;
  phaseStatus?: PhaseStatus;
  startTime: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: PhaseContext[];
}

export interface EnvironmentVariable {
  name: string;
  value: string;
  type: "PLAINTEXT";
}

/** A build as BatchGetBuilds returns it (the members the emulator fills in). */
export interface Build {
  id: string;
  arn: string;
  buildNumber: number;
  startTime: number;
  endTime?: number;
  currentPhase: string;
  buildStatus: BuildStatus;
  buildComplete: boolean;
  projectName: string;
  phases: BuildPhase[];
  source: { type: "S3"; location: string; buildspec?: string };
  artifacts?: { location: string };
  timeoutInMinutes: number;
  initiator: string;
  environment: {
    type: string;
    image: string;
    computeType: string;
    environmentVariables: EnvironmentVariable[];
  };
}

/**
 * Builds persisted one small JSON file each (written whole, atomically), so BatchGetBuilds still
 * answers for them after a restart. Writes are synchronous, ordered with the changes that cause them.
 */
export class BuildStore {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  load(): Build[] {
    return readdirSync(this.directory)
      .filter((name) => name.endsWith(".json"))
      .map((name) => JSON.parse(readFileSync(path.join(this.directory, name), "utf8")) as Build);
  }

  save(build: Build): void {
    const file = path.join(this.directory, `${buildUuid(build.id)}.json`);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(build), { mode: 0o600 });
    renameSync(temporary, file);
  }
}

/** The part of a build id after `<project>:`. */
export function buildUuid(id: string): string {
  return id.slice(id.lastIndexOf(":") + 1);
}
