import { randomUUID } from "node:crypto";
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from "aws-local-stepfunctions";
import { executionArnFor } from "@amelia/core/definitions/stateMachine";
import { optionalString, parseJson, requiredString, toJson } from "../protocol/apiInput";
import {
  allStateNames,
  collectTaskStates,
  MAX_TIMER_SECONDS,
  runDefinition,
  type AslDefinition,
  type TaskStateInfo,
} from "./aslDefinition";
import { AwsServiceError } from "../protocol/AwsServiceError";
import {
  ExecutionStore,
  type ExecutionRecord,
  type ExecutionStatus,
  type PendingWait,
} from "./ExecutionStore";
import type { JsonService } from "../protocol/JsonService";
// Also installs Promise.withResolvers, which the interpreter needs, on Node 20.
import { withResolvers } from "./promiseWithResolvers";
import { checkExecutionName, parseStateMachineArn } from "./stateMachineArns";
import {
  buildResult,
  startBuildFailure,
  startBuildInput,
  type CodeBuildIntegration,
} from "./codeBuildTask";
import { LambdaFunctionError, RunCancelled, TaskFailure } from "./taskErrors";
import { replaceString, TASK_TOKEN_PLACEHOLDER } from "./taskTokens";
import { deliverOutcome, TaskTokenWaits } from "./TaskTokenWaits";
import { WaitRearming } from "./WaitRearming";
import { consoleLog, type EmulatorLog } from "../../log";

export interface StepFunctionsEmulatorOptions {
  definition: AslDefinition;
  stateMachineArn: string;
  /** Runs a Lambda function by the `FunctionName` the Task's Parameters give. */
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Runs the `codebuild:startBuild.sync` Tasks; required when the definition has one. */
  codeBuild?: CodeBuildIntegration;
  /** Directory holding every execution, a file each, so RUNNING ones resume after a restart. */
  stateDirectory: string;
  /** The single file an earlier version kept them in: moved into the directory at start. */
  legacyStateFile?: string;
  /** Milliseconds between Retry attempts of every state, instead of IntervalSeconds/backoff. */
  retryIntervalOverride?: number;
  /** Longest single interpreter timer, in seconds; only tests lower it. */
  timerLimitSeconds?: number;
  /** Where unexpected internal failures are reported. */
  log?: EmulatorLog;
  /** Called for every state entered, nested ones included: Step Functions bills each. */
  onStateEntered?: () => void;
}

type RunInput = Parameters<StateMachine["run"]>[0];
type LocalHandlers = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;
type HandlerResult = ReturnType<LocalHandlers[string]>;
type EventLogs = ReturnType<StateMachine["run"]>["eventLogs"];

/** The parts of the interpreter's event log this emulator reads. */
interface StateEvent {
  type: string;
  state?: { name: string; type: string; input: unknown };
}

/** One interpreter run of an execution; a restart or re-arm replaces it with a new one. */
interface LiveRun {
  cancelled: boolean;
  /** Rejects when the run is cancelled, so in-flight invocations release the interpreter (and its timers). */
  cancellation: Promise<never>;
  cancel: (error: RunCancelled) => void;
  abort: () => void;
  /** The top-level state the event log last reported entering, and whether it has left it. */
  entered?: { state: string; type: string; open: boolean };
  enteredListeners: Set<() => void>;
  /** A persisted wait the first visit of its state re-arms instead of invoking the function. */
  resume?: PendingWait;
  /** Resolves once the run is past invoking the function of `resume` (or ended before it). */
  resumeInvoked: Promise<void>;
  resumeInvokedNow: () => void;
}

interface Outcome {
  status: Exclude<ExecutionStatus, "RUNNING">;
  output?: string;
  error?: string;
  cause?: string;
}

const CONTAINER_TYPES = new Set(["Map", "Parallel"]);

/**
 * Step Functions (JSON 1.0, `AWSStepFunctions.*`) for one state machine, interpreted by
 * aws-local-stepfunctions. Every Lambda Task runs through `invokeFunction`; waitForTaskToken Tasks
 * wait for SendTaskSuccess/SendTaskFailure with a token minted here; startBuild.sync Tasks run a
 * build of the local CodeBuild. Executions are persisted so
 * a RUNNING one resumes, from the state it was in, after a restart (`restore()`).
 */
export class StepFunctionsEmulator implements JsonService {
  readonly targetPrefix = "AWSStepFunctions";
  readonly jsonVersion = "1.0";

  private readonly definition: AslDefinition;
  private readonly tasks: Map<string, TaskStateInfo>;
  private readonly stateMachineName: string;
  private readonly timerLimitSeconds: number;
  private readonly store: ExecutionStore;
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly runs = new Map<string, LiveRun>();
  private readonly waits = new TaskTokenWaits(this.records, (record) => this.persist(record));
  private readonly rearming: WaitRearming;
  private readonly retryIntervalOverrides: Record<string, number> | undefined;
  private closed = false;

  constructor(private readonly options: StepFunctionsEmulatorOptions) {
    this.definition = structuredClone(options.definition);
    this.stateMachineName = parseStateMachineArn(options.stateMachineArn).name;
    this.tasks = collectTaskStates(this.definition);
    const buildTask = [...this.tasks].find(([, info]) => info.kind === "startBuildSync");
    if (buildTask && !options.codeBuild) {
      throw new Error(`Task state "${buildTask[0]}" runs CodeBuild builds: give a codeBuild`);
    }
    // Validates the definition (asl-validator) once; runs skip validation.
    new StateMachine(this.definition as unknown as StateMachineDefinition);
    this.timerLimitSeconds = Math.min(
      options.timerLimitSeconds ?? MAX_TIMER_SECONDS,
      MAX_TIMER_SECONDS,
    );
    this.rearming = new WaitRearming(this.timerLimitSeconds, (record) => this.resume(record));
    const interval = options.retryIntervalOverride;
    this.retryIntervalOverrides =
      interval === undefined
        ? undefined
        : Object.fromEntries(allStateNames(this.definition).map((name) => [name, interval]));
    this.store = new ExecutionStore(options.stateDirectory, options.legacyStateFile);
    for (const record of this.store.load()) this.records.set(record.executionArn, record);
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case "StartExecution":
        return this.startExecution(input);
      case "DescribeExecution":
        return this.describeExecution(input);
      case "StopExecution":
        return this.stopExecution(input);
      case "RedriveExecution":
        return this.redriveExecution(input);
      case "SendTaskSuccess":
        this.waits.succeed(input);
        return {};
      case "SendTaskFailure":
        this.waits.fail(input);
        return {};
      case "SendTaskHeartbeat":
        this.waits.heartbeat(input);
        return {};
      default:
        throw new AwsServiceError(
          "UnknownOperationException",
          `${operation} is not emulated locally`,
        );
    }
  }

  /**
   * Resumes every RUNNING execution of the state file from the state it was in. A wait that has
   * no outcome gives its function the same token again: whatever the function handed the token
   * to may have stopped with the process (a decision taken but never sent). Resolves once those
   * functions have run, so nothing settles such a wait before its function has re-opened it.
   */
  async restore(): Promise<void> {
    const reinvoked: Promise<void>[] = [];
    for (const record of this.records.values()) {
      if (record.status !== "RUNNING" || this.runs.has(record.executionArn)) continue;
      if (record.wait && !record.wait.outcome) record.wait.invoked = false;
      this.resume(record);
      const run = this.runs.get(record.executionArn);
      if (run?.resume) reinvoked.push(run.resumeInvoked);
    }
    await Promise.all(reinvoked);
  }

  /** Stops every interpreter run without marking executions stopped, so `restore()` resumes them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [arn, run] of [...this.runs]) this.cancelRun(arn, run);
    this.store.close();
  }

  private startExecution(input: Record<string, unknown>) {
    const stateMachineArn = requiredString(input, "stateMachineArn");
    if (stateMachineArn !== this.options.stateMachineArn) {
      throw new AwsServiceError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    const name = optionalString(input, "name") ?? randomUUID();
    checkExecutionName(name);
    const inputText = optionalString(input, "input") ?? "{}";
    const parsedInput = parseJson(
      inputText,
      "InvalidExecutionInput",
      "Invalid State Machine Execution Input",
    );
    const arn = executionArnFor(stateMachineArn, name);
    const existing = this.records.get(arn);
    if (existing) {
      // Like AWS: idempotent for the same name and input while RUNNING, else refused.
      if (existing.status === "RUNNING" && existing.input === inputText) {
        return { executionArn: arn, startDate: seconds(existing.startDate) };
      }
      throw new AwsServiceError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      name,
      input: inputText,
      status: "RUNNING",
      startDate: Date.now(),
    };
    this.records.set(arn, record);
    this.persist(record);
    this.startRun(record, { input: parsedInput });
    return { executionArn: arn, startDate: seconds(record.startDate) };
  }

  private describeExecution(input: Record<string, unknown>) {
    const record = this.existingRecord(requiredString(input, "executionArn"));
    return {
      executionArn: record.executionArn,
      stateMachineArn: this.options.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: seconds(record.startDate),
      ...(record.stopDate === undefined ? {} : { stopDate: seconds(record.stopDate) }),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output === undefined
        ? {}
        : { output: record.output, outputDetails: { included: true } }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
      redriveCount: record.redriveCount ?? 0,
      ...(record.redriveDate === undefined ? {} : { redriveDate: seconds(record.redriveDate) }),
      ...redriveStatus(record),
    };
  }

  /**
   * Like AWS: a stopped, unsuccessful execution continues from the state it failed in, with that
   * state's input, under the same ARN; the states that succeeded before it are not rerun.
   */
  private redriveExecution(input: Record<string, unknown>) {
    const record = this.existingRecord(requiredString(input, "executionArn"));
    const status = redriveStatus(record);
    if (status.redriveStatus !== "REDRIVABLE" || !record.position) {
      throw new AwsServiceError("ExecutionNotRedrivable", status.redriveStatusReason ?? "");
    }
    const position = record.position;
    record.status = "RUNNING";
    record.redriveCount = (record.redriveCount ?? 0) + 1;
    record.redriveDate = Date.now();
    delete record.stopDate;
    delete record.output;
    delete record.error;
    delete record.cause;
    this.persist(record);
    this.startRun(record, { startAt: position.state, input: position.input });
    return { redriveDate: seconds(record.redriveDate) };
  }

  private stopExecution(input: Record<string, unknown>) {
    const record = this.existingRecord(requiredString(input, "executionArn"));
    if (record.status === "RUNNING") {
      const run = this.runs.get(record.executionArn);
      if (run) this.cancelRun(record.executionArn, run);
      this.complete(record, {
        status: "ABORTED",
        error: optionalString(input, "error"),
        cause: optionalString(input, "cause"),
      });
    }
    return { stopDate: seconds(record.stopDate ?? Date.now()) };
  }

  private existingRecord(arn: string): ExecutionRecord {
    const record = this.records.get(arn);
    if (!record)
      throw new AwsServiceError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  /** Restarts a RUNNING execution at its persisted state (after a restart, or to re-arm a long wait). */
  private resume(record: ExecutionRecord): void {
    const previous = this.runs.get(record.executionArn);
    if (previous) this.cancelRun(record.executionArn, previous);
    const position = record.position;
    if (!position) {
      this.startRun(record, { input: JSON.parse(record.input) as unknown });
      return;
    }
    const resume = record.wait?.state === position.state ? record.wait : undefined;
    this.startRun(record, { startAt: position.state, input: position.input, resume });
  }

  private startRun(
    record: ExecutionRecord,
    start: { input: unknown; startAt?: string; resume?: PendingWait },
  ): void {
    if (this.closed) return;
    const now = Date.now();
    const declaredTimeout = this.definition.TimeoutSeconds;
    const machine = new StateMachine(
      runDefinition(this.definition, {
        startAt: start.startAt,
        startStateTimeoutSeconds: start.resume && (start.resume.deadline - now) / 1000,
        executionTimeoutSeconds:
          declaredTimeout === undefined
            ? undefined
            : (record.startDate + declaredTimeout * 1000 - now) / 1000,
        timerLimitSeconds: this.timerLimitSeconds,
      }) as unknown as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const cancellation = withResolvers<never>();
    cancellation.promise.catch(() => undefined);
    const resumeInvoked = withResolvers<void>();
    const run: LiveRun = {
      cancelled: false,
      cancellation: cancellation.promise,
      cancel: cancellation.reject,
      abort: () => undefined,
      enteredListeners: new Set(),
      resume: start.resume,
      resumeInvoked: resumeInvoked.promise,
      resumeInvokedNow: resumeInvoked.resolve,
    };
    const options: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(record.executionArn, run),
        retryIntervalOverrides: this.retryIntervalOverrides,
      },
      context: {
        Execution: { Id: record.executionArn, Name: record.name },
        StateMachine: { Id: this.options.stateMachineArn, Name: this.stateMachineName },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    };
    const execution = machine.run(start.input as RunInput, options);
    run.abort = execution.abort;
    this.runs.set(record.executionArn, run);
    void this.followEvents(record, run, execution.eventLogs);
    execution.result
      .then(
        (output) =>
          this.finishRun(record, run, { status: "SUCCEEDED", output: JSON.stringify(output) }),
        (error: unknown) => this.finishRun(record, run, outcomeOf(error)),
      )
      .catch((error: unknown) =>
        this.report("Could not record the end of an execution", {
          executionArn: record.executionArn,
          error,
        }),
      );
  }

  private taskHandlers(arn: string, run: LiveRun) {
    const handlers: LocalHandlers = {};
    for (const [state, info] of this.tasks) {
      handlers[state] = (input) =>
        (info.kind === "invoke"
          ? this.invokeTask(run, input)
          : info.kind === "startBuildSync"
            ? this.startBuildSync(run, input)
            : this.waitForTaskToken(arn, run, state, info, input)) as HandlerResult;
    }
    return handlers;
  }

  /**
   * `codebuild:startBuild.sync`: StartBuild, then wait for the build to end. A run that stops
   * waiting (StopExecution, shutdown) stops the build, as Step Functions does; after a restart the
   * state runs again, with a new build, since builds do not outlive their runtime.
   */
  private async startBuildSync(run: LiveRun, input: unknown) {
    if (run.cancelled) throw new RunCancelled();
    const codeBuild = this.options.codeBuild!;
    let id: string;
    try {
      id = codeBuild.startBuild(startBuildInput(input)).id;
    } catch (error) {
      throw startBuildFailure(error);
    }
    let ended;
    try {
      ended = await Promise.race([codeBuild.completion(id), run.cancellation]);
    } catch (error) {
      if (!run.cancelled) throw error;
      codeBuild.stopBuild(id).catch((stopError: unknown) =>
        this.report("Could not stop the build of a stopped execution", {
          buildId: id,
          error: stopError,
        }),
      );
      throw new RunCancelled();
    }
    if (run.cancelled) throw new RunCancelled();
    return buildResult(ended);
  }

  /** `lambda:invoke`: the function's result, wrapped as the Lambda Invoke API returns it. */
  private async invokeTask(run: LiveRun, input: unknown) {
    if (run.cancelled) throw new RunCancelled();
    const { functionName, payload } = lambdaParameters(input);
    let result: unknown;
    try {
      result = await Promise.race([
        this.options.invokeFunction(functionName, payload),
        run.cancellation,
      ]);
    } catch (error) {
      throw run.cancelled ? new RunCancelled() : LambdaFunctionError.from(error);
    }
    if (run.cancelled) throw new RunCancelled();
    return { StatusCode: 200, Payload: toJson(result), ExecutedVersion: "$LATEST" };
  }

  /**
   * `lambda:invoke.waitForTaskToken`: invoke the function with a fresh token in place of the
   * placeholder, then wait until SendTaskSuccess/Failure settles it. The interpreter races the
   * returned promise against the state's timeout.
   */
  private async waitForTaskToken(
    arn: string,
    run: LiveRun,
    state: string,
    info: TaskStateInfo,
    input: unknown,
  ): Promise<unknown> {
    const record = this.records.get(arn);
    if (run.cancelled || !record) throw new RunCancelled();
    // Persist the wait only once the event log has recorded this state's raw input.
    if (info.topLevel) await this.untilEntered(run, state);
    if (run.cancelled) throw new RunCancelled();

    const resumed = run.resume?.state === state ? run.resume : undefined;
    run.resume = undefined;
    try {
      if (resumed?.outcome) return deliverOutcome(resumed.outcome);
      const { wait, result } = this.waits.open(record, run, state, info, resumed);
      if (info.topLevel) this.rearming.schedule(run, record, wait);
      if (!wait.invoked) await this.invokeWithToken(record, run, wait, input);
      return result;
    } finally {
      if (resumed) run.resumeInvokedNow();
    }
  }

  private async invokeWithToken(
    record: ExecutionRecord,
    run: LiveRun,
    wait: PendingWait,
    input: unknown,
  ): Promise<void> {
    const { functionName, payload } = lambdaParameters(input);
    try {
      const withToken = replaceString(payload, TASK_TOKEN_PLACEHOLDER, wait.token);
      await Promise.race([this.options.invokeFunction(functionName, withToken), run.cancellation]);
    } catch (error) {
      if (run.cancelled) throw new RunCancelled();
      if (this.waits.invocationFailed(record, run, wait)) throw LambdaFunctionError.from(error);
    }
    this.waits.markInvoked(record, run, wait);
  }

  private untilEntered(run: LiveRun, state: string): Promise<void> {
    const reached = () => run.cancelled || (run.entered?.state === state && run.entered.open);
    if (reached()) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = () => {
        if (!reached()) return;
        run.enteredListeners.delete(listener);
        resolve();
      };
      run.enteredListeners.add(listener);
    });
  }

  /** Tracks the top-level state each execution is in, from the interpreter's event log. */
  private async followEvents(
    record: ExecutionRecord,
    run: LiveRun,
    events: EventLogs,
  ): Promise<void> {
    try {
      for await (const event of events) {
        if ((event as StateEvent).type === "StateEntered") this.options.onStateEntered?.();
        if (run.cancelled || this.runs.get(record.executionArn) !== run) return;
        this.observe(record, run, event as StateEvent);
      }
    } catch (error) {
      this.report("Step Functions event log failed", { executionArn: record.executionArn, error });
    }
  }

  private observe(record: ExecutionRecord, run: LiveRun, event: StateEvent): void {
    const state = event.state;
    if (!state || !(state.name in this.definition.States)) return;
    const insideContainer = run.entered?.open === true && CONTAINER_TYPES.has(run.entered.type);
    const isCurrent = run.entered?.state === state.name && run.entered.type === state.type;
    switch (event.type) {
      case "StateEntered":
        if (insideContainer) return;
        run.entered = { state: state.name, type: state.type, open: true };
        record.position = { state: state.name, input: structuredClone(state.input) };
        // A wait being resumed stays persisted until its state re-arms it.
        if (record.wait !== run.resume) record.wait = undefined;
        this.persist(record);
        for (const listener of [...run.enteredListeners]) listener();
        return;
      case "StateExited":
        if (isCurrent && run.entered) run.entered.open = false;
        return;
      case "StateFailed":
        // A timed-out wait's token dies with it; a settled wait keeps its outcome until the next state.
        if (isCurrent) this.waits.expire(record, state.name);
        return;
    }
  }

  private finishRun(record: ExecutionRecord, run: LiveRun, outcome: Outcome): void {
    if (run.cancelled || this.runs.get(record.executionArn) !== run) return;
    this.cancelRun(record.executionArn, run);
    this.complete(record, outcome);
  }

  private complete(record: ExecutionRecord, outcome: Outcome): void {
    record.status = outcome.status;
    record.stopDate = Date.now();
    record.output = outcome.output;
    record.error = outcome.error;
    record.cause = outcome.cause;
    // An unsuccessful execution keeps its position: a redrive reruns the state it stopped in.
    if (outcome.status === "SUCCEEDED") delete record.position;
    delete record.wait;
    this.persist(record);
  }

  /** Ends a run and everything waiting in it; the execution's record is left as it is. */
  private cancelRun(arn: string, run: LiveRun): void {
    run.cancelled = true;
    this.rearming.cancel(run);
    if (this.runs.get(arn) === run) this.runs.delete(arn);
    this.waits.cancel(run);
    for (const listener of [...run.enteredListeners]) listener();
    run.resumeInvokedNow();
    run.cancel(new RunCancelled());
    run.abort();
  }

  private persist(record: ExecutionRecord): void {
    if (!this.closed) this.store.save(record);
  }

  private report(message: string, details: Record<string, unknown>): void {
    (this.options.log ?? consoleLog)(message, details);
  }
}

function redriveStatus(record: ExecutionRecord): {
  redriveStatus: "REDRIVABLE" | "NOT_REDRIVABLE";
  redriveStatusReason?: string;
} {
  if (record.status === "RUNNING" || record.status === "SUCCEEDED") {
    return {
      redriveStatus: "NOT_REDRIVABLE",
      redriveStatusReason: `Execution is ${record.status} and cannot be redriven`,
    };
  }
  if (!record.position) {
    return {
      redriveStatus: "NOT_REDRIVABLE",
      redriveStatusReason: "Execution stopped before it entered a state",
    };
  }
  return { redriveStatus: "REDRIVABLE" };
}

function seconds(epochMs: number): number {
  return epochMs / 1000;
}

/** FunctionName and Payload of a Lambda Task's input (after Parameters). */
function lambdaParameters(input: unknown): { functionName: string; payload: unknown } {
  const parameters = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  if (typeof parameters.FunctionName !== "string") {
    throw new TaskFailure("States.Runtime", "The Lambda Task has no FunctionName");
  }
  return { functionName: parameters.FunctionName, payload: toJson(parameters.Payload ?? {}) };
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof ExecutionTimeoutError) {
    return { status: "TIMED_OUT", error: "States.Timeout", cause: "The execution timed out" };
  }
  if (error instanceof ExecutionAbortedError) return { status: "ABORTED" };
  const failure =
    error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (failure instanceof Error)
    return { status: "FAILED", error: failure.name, cause: failure.message };
  return { status: "FAILED", error: "States.Runtime", cause: String(failure) };
}
