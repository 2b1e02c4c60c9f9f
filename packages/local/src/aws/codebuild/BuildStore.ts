import { readRecords, RecordJournal } from "../../persistence/RecordJournal";

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

const idOf = (build: Build) => build.id;

/** Each build's last saved state in a store's directory. */
export function readBuilds(directory: string): Build[] {
  return readRecords(directory, idOf);
}

/**
 * Builds persisted in a journal (a change writes one line), so BatchGetBuilds still answers for
 * them after a restart.
 */
export class BuildStore {
  private readonly journal: RecordJournal<Build>;

  constructor(directory: string) {
    this.journal = new RecordJournal(directory, idOf);
  }

  load(): Build[] {
    return this.journal.load();
  }

  save(build: Build): void {
    this.journal.save(build);
  }

  close(): void {
    this.journal.close();
  }
}

/** The part of a build id after `<project>:`. */
export function buildUuid(id: string): string {
  return id.slice(id.lastIndexOf(":") + 1);
}
