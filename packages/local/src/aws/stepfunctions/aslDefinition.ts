/**
 * Reading and rewriting Amazon States Language definitions for the local interpreter.
 */

/** A JSONPath-flavoured ASL definition (compatible with core's `StateMachineDefinition`). */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

export const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
export const LAMBDA_WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";
export const CODEBUILD_START_BUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync";

/** What Step Functions uses when a Task has no TimeoutSeconds (the interpreter would use 60). */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

/** Node timers overflow past 2^31-1 ms (and then fire after 1 ms), so no interpreter timer may exceed this. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export type TaskKind = "invoke" | "waitForTaskToken" | "startBuildSync";

export interface TaskStateInfo {
  kind: TaskKind;
  /** The state's TimeoutSeconds, or the AWS default when it has none. */
  timeoutSeconds: number;
  /** Directly in the definition's `States`, not inside a Map or Parallel. */
  topLevel: boolean;
}

type StateList = Record<string, Record<string, unknown>>;

function nestedMachines(state: Record<string, unknown>): { States: StateList }[] {
  const machines: unknown[] = [];
  if (state.Type === "Parallel" && Array.isArray(state.Branches)) machines.push(...state.Branches);
  if (state.Type === "Map") machines.push(state.ItemProcessor ?? state.Iterator);
  return machines.filter(
    (machine): machine is { States: StateList } =>
      typeof machine === "object" && machine !== null && "States" in machine,
  );
}

export function forEachState(
  states: StateList,
  visit: (name: string, state: Record<string, unknown>, topLevel: boolean) => void,
  topLevel = true,
): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state, topLevel);
    for (const machine of nestedMachines(state)) forEachState(machine.States, visit, false);
  }
}

/**
 * Every Task state by name, checking what the emulator cannot run faithfully: JSONata (which the
 * interpreter silently ignores), Task resources other than Lambda invoke and CodeBuild's
 * startBuild.sync (which it would send to real AWS), TimeoutSecondsPath, and one name used for
 * two different kinds of task (overrides are keyed by state name).
 */
export function collectTaskStates(definition: AslDefinition): Map<string, TaskStateInfo> {
  if (definition.QueryLanguage === "JSONata") {
    throw new Error("JSONata state machines are not supported locally: write JSONPath ASL");
  }
  const tasks = new Map<string, TaskStateInfo>();
  forEachState(definition.States, (name, state, topLevel) => {
    if (state.QueryLanguage === "JSONata") {
      throw new Error(`State "${name}" uses JSONata, which the local interpreter ignores`);
    }
    if (state.Type !== "Task") return;
    const kind = taskKind(name, state.Resource);
    const parameters = state.Parameters as Record<string, unknown> | undefined;
    const required = kind === "startBuildSync" ? "ProjectName" : "FunctionName";
    if (parameters?.[required] === undefined && parameters?.[`${required}.$`] === undefined) {
      throw new Error(`Task state "${name}" needs Parameters.${required}`);
    }
    if (state.TimeoutSecondsPath !== undefined) {
      throw new Error(`State "${name}": TimeoutSecondsPath is not supported locally`);
    }
    const declared = state.TimeoutSeconds;
    if (declared !== undefined && !(Number.isInteger(declared) && (declared as number) > 0)) {
      throw new Error(`State "${name}": TimeoutSeconds must be a positive integer`);
    }
    const info = {
      kind,
      timeoutSeconds: (declared as number | undefined) ?? AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
      topLevel,
    };
    const previous = tasks.get(name);
    if (previous && previous.kind !== info.kind) {
      throw new Error(`Task state name "${name}" is used for two different resources`);
    }
    // A name used both at top level and in a branch is tracked as nested (never persisted mid-wait).
    tasks.set(name, previous ? { ...info, topLevel: previous.topLevel && topLevel } : info);
  });
  return tasks;
}

function taskKind(name: string, resource: unknown): TaskKind {
  if (resource === LAMBDA_INVOKE) return "invoke";
  if (resource === LAMBDA_WAIT_FOR_TOKEN) return "waitForTaskToken";
  if (resource === CODEBUILD_START_BUILD_SYNC) return "startBuildSync";
  throw new Error(
    `Task state "${name}" uses resource ${String(resource)}; only ${LAMBDA_INVOKE}, ` +
      `${LAMBDA_WAIT_FOR_TOKEN} and ${CODEBUILD_START_BUILD_SYNC} are emulated locally`,
  );
}

/** Every state name, nested ones included. */
export function allStateNames(definition: AslDefinition): string[] {
  const names: string[] = [];
  forEachState(definition.States, (name) => names.push(name));
  return names;
}

export interface RunDefinitionOptions {
  /** Start the run here instead of the definition's StartAt (resuming a persisted execution). */
  startAt?: string;
  /** Time left for the first state, when it resumes a wait that already used some of its timeout. */
  startStateTimeoutSeconds?: number;
  /** Time left for the whole execution, when the definition has a top-level TimeoutSeconds. */
  executionTimeoutSeconds?: number;
  timerLimitSeconds: number;
}

/**
 * A copy of the definition for one interpreter run: every Task gets an explicit TimeoutSeconds
 * (the AWS default when absent) clamped to what a Node timer can hold.
 */
export function runDefinition(
  definition: AslDefinition,
  options: RunDefinitionOptions,
): AslDefinition {
  const copy = structuredClone(definition);
  const clamp = (seconds: number) =>
    Math.max(1, Math.min(Math.ceil(seconds), options.timerLimitSeconds));
  if (options.startAt !== undefined) {
    if (!(options.startAt in copy.States)) throw new Error(`No state named "${options.startAt}"`);
    copy.StartAt = options.startAt;
  }
  forEachState(copy.States, (name, state, topLevel) => {
    if (state.Type !== "Task") return;
    const resumed =
      topLevel && name === options.startAt ? options.startStateTimeoutSeconds : undefined;
    state.TimeoutSeconds = clamp(
      resumed ?? (state.TimeoutSeconds as number | undefined) ?? AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
    );
  });
  if (copy.TimeoutSeconds !== undefined) {
    copy.TimeoutSeconds = clamp(options.executionTimeoutSeconds ?? copy.TimeoutSeconds);
  }
  return copy;
}
