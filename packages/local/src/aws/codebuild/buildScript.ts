import type { CommandPhase } from "./buildspec";

/** CodeBuild's name of a phase, e.g. `pre_build` → `PRE_BUILD`. */
export function phaseType(phase: CommandPhase["name"]): string {
  return phase.toUpperCase();
}

/**
 * One bash script running the phases' commands in order in one shell (so `cd` and `export`
 * carry on, as in CodeBuild's version 0.2), in the directory it starts in (`CODEBUILD_SRC_DIR`).
 * The first failing command ends it
 * with that command's status. It logs as CodeBuild does — `[Container] <time> Entering phase
 * BUILD`, `Running command …` — which is how {@link ScriptProgress} follows it.
 */
export function buildScript(phases: readonly CommandPhase[]): string {
  const lines = [
    "__amelia_log() { printf '[Container] %(%Y/%m/%d %H:%M:%S)T %s\\n' -1 \"$1\"; }",
    "__amelia_failed() {",
    '  __amelia_log "Command did not exit successfully $2 exit status $1"',
    '  exit "$1"',
    "}",
  ];
  for (const phase of phases) {
    lines.push(`__amelia_log ${quoted(`${ENTERING}${phaseType(phase.name)}`)}`);
    for (const command of phase.commands) {
      lines.push(
        `__amelia_log ${quoted(`${RUNNING}${command}`)}`,
        `eval ${quoted(command)}`,
        `__amelia_status=$?; [ "$__amelia_status" -eq 0 ] || __amelia_failed "$__amelia_status" ${quoted(command)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

const ENTERING = "Entering phase ";
const RUNNING = "Running command ";
const MARKER =
  /^\[Container\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (Entering phase |Running command )(.*)$/;
/** Lines longer than this are not markers; only so much of one is held while it arrives. */
const MAX_MARKER_LINE = 64 * 1024;

/**
 * Follows a running script's output for its markers: the phase it is in and the command it runs.
 * The build's own output could print the same lines; it would only mislabel its own phases.
 */
export class ScriptProgress {
  private partial = "";
  private partialOverflow = false;
  command: string | undefined;

  constructor(private readonly onPhase: (phaseType: string) => void) {}

  write(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString("utf8")).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!this.partialOverflow) this.read(line);
      this.partialOverflow = false;
    }
    if (this.partial.length > MAX_MARKER_LINE) {
      this.partial = "";
      this.partialOverflow = true;
    }
  }

  private read(line: string): void {
    const marker = MARKER.exec(line);
    if (!marker) return;
    const [, kind, rest = ""] = marker;
    if (kind === ENTERING) {
      this.command = undefined;
      this.onPhase(rest);
    } else {
      this.command = rest;
    }
  }
}

/** A string as one single-quoted bash word. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
