import type { Build, PhaseContext, PhaseStatus } from "./BuildStore";

/**
 * Moves a build through its phases as CodeBuild reports them: entering a phase ends the one
 * before it (SUCCEEDED); the first phase to end otherwise decides the build's status. Every
 * change is persisted.
 */
export class BuildProgress {
  private outcome: PhaseStatus | undefined;

  constructor(
    readonly build: Build,
    private readonly persist: (build: Build) => void,
  ) {}

  /** The status the build will end with, once a phase has failed (or was stopped). */
  get failedWith(): PhaseStatus | undefined {
    return this.outcome;
  }

  get currentPhase(): string {
    return this.build.currentPhase;
  }

  /** Enters a phase; one the build has already been in is not entered again. */
  enter(phaseType: string): void {
    if (this.build.buildComplete || this.build.phases.some((p) => p.phaseType === phaseType)) {
      return;
    }
    this.closeCurrent("SUCCEEDED");
    this.build.phases.push({ phaseType, startTime: nowSeconds() });
    this.build.currentPhase = phaseType;
    this.persist(this.build);
  }

  /** Ends the current phase with a failure; later phases are skipped up to the artifacts. */
  fail(status: Exclude<PhaseStatus, "SUCCEEDED">, context: PhaseContext): void {
    if (this.build.buildComplete) return;
    this.closeCurrent(status, context);
    this.outcome ??= status;
    this.persist(this.build);
  }

  /** Ends the build: FINALIZING, then COMPLETED, with the status the phases came to. */
  finish(): Build {
    if (this.build.buildComplete) return this.build;
    this.enter("FINALIZING");
    this.closeCurrent("SUCCEEDED");
    const now = nowSeconds();
    this.build.phases.push({ phaseType: "COMPLETED", startTime: now });
    this.build.currentPhase = "COMPLETED";
    this.build.buildStatus = this.outcome ?? "SUCCEEDED";
    this.build.buildComplete = true;
    this.build.endTime = now;
    this.persist(this.build);
    return this.build;
  }

  private currentOpen() {
    const last = this.build.phases.at(-1);
    return last && last.endTime === undefined ? last : undefined;
  }

  private closeCurrent(status: PhaseStatus, context?: PhaseContext): void {
    const phase = this.currentOpen();
    if (!phase) return;
    phase.endTime = nowSeconds();
    phase.durationInSeconds = Math.round(phase.endTime - phase.startTime);
    phase.phaseStatus = status;
    if (context) phase.contexts = [context];
  }
}

/** Marks a build that was IN_PROGRESS when its runtime stopped as FAULT, its phase with it. */
export function interrupted(build: Build, reason: string): Build {
  const progress = new BuildProgress(build, () => undefined);
  progress.fail("FAULT", { statusCode: "BUILD_INTERRUPTED", message: reason });
  return progress.finish();
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}
