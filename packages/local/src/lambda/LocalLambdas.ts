import { Worker } from "node:worker_threads";
import type { UsageMeter } from "../metering/UsageMeter";
import type { Invocation, InvocationResult, WorkerSettings } from "./invocation";

/** An error a function threw, as its invoker sees it: Lambda's errorType is its name. */
export class FunctionError extends Error {
  constructor(errorType: string, errorMessage: string, stack?: string) {
    super(errorMessage);
    this.name = errorType;
    if (stack !== undefined) this.stack = stack;
  }
}

/** The functions' worker thread stopped with invocations still running. */
export class FunctionsWorkerStoppedError extends Error {
  override readonly name = "FunctionsWorkerStoppedError";

  constructor(readonly reason: unknown) {
    super(`The functions' worker thread stopped: ${String(reason)}`);
  }
}

export interface LocalLambdasOptions {
  repositoryRoot: string;
  /**
   * The functions' `process.env`, as Lambda's configuration gives it to them; read when the worker
   * starts, at the first invocation (the emulators' endpoints are known by then).
   */
  environment: () => Readonly<Record<string, string>>;
  meter?: UsageMeter;
}

interface Pending {
  handlerPath: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The worker registers tsx's loader before it imports its TypeScript entry, as `npm start` and the
 * tests load TypeScript here (`--import tsx` in its execArgv would not apply to the entry itself).
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then(({ register }) => register())
  .then(() => import(${JSON.stringify(new URL("./functionsWorker.ts", import.meta.url).href)}));`;

/**
 * Runs the product's Lambda handlers, concurrently, in a worker thread of their own: they get the
 * function environment as their `process.env` and their own module state (clients, caches), so
 * runtimes do not share anything, and handler work leaves the runtime's thread. A worker that
 * dies fails its running invocations and is replaced on the next one, as a Lambda sandbox is.
 */
export class LocalLambdas {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: LocalLambdasOptions) {}

  invoke(handlerPath: string, event: unknown): Promise<unknown> {
    const running = new Promise<unknown>((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { handlerPath, resolve, reject });
      try {
        this.started().postMessage({ id, handlerPath, event } satisfies Invocation);
      } catch (error) {
        this.pending.delete(id);
        reject(error as Error);
      }
    });
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return running;
  }

  /** Waits for running invocations to finish (shutdown), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.all(this.inFlight),
        new Promise((resolve) => setTimeout(resolve, deadline - Date.now())),
      ]);
    }
  }

  /** Stops the worker; invocations still running fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      env: { ...this.options.environment() },
      execArgv: [],
      workerData: { repositoryRoot: this.options.repositoryRoot } satisfies WorkerSettings,
    });
    worker.on("message", (result: InvocationResult) => this.answered(result));
    worker.once("error", (error) => this.stopped(worker, error));
    worker.once("exit", (code) => this.stopped(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private answered({ id, durationMs, payload, error }: InvocationResult): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.options.meter?.lambda(pending.handlerPath, durationMs);
    if (error) pending.reject(new FunctionError(error.errorType, error.errorMessage, error.stack));
    else pending.resolve(payload === undefined ? undefined : (JSON.parse(payload) as unknown));
  }

  private stopped(worker: Worker, reason: unknown): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new FunctionsWorkerStoppedError(reason));
    }
  }
}
