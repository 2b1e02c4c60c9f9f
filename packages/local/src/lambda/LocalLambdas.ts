import { randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import type { Context } from "aws-lambda";
import type { UsageMeter } from "../metering/UsageMeter";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Lambda's ceiling, which the local invocations honour in their context too. */
const TIMEOUT_MS = 15 * 60 * 1000;

/**
 * Runs the product's Lambda handlers in this process: the same modules, the same handler
 * exports and the same event shapes as on AWS, resolved from SST handler paths.
 */
export class LocalLambdas {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly repositoryRoot: string,
    private readonly meter?: UsageMeter,
  ) {}

  invoke(handlerPath: string, event: unknown): Promise<unknown> {
    const running = this.load(handlerPath).then(async (handler) => {
      const started = performance.now();
      try {
        return await handler(event, this.context(handlerPath));
      } finally {
        this.meter?.lambda(handlerPath, performance.now() - started);
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

  private load(handlerPath: string): Promise<Handler> {
    let loading = this.loaded.get(handlerPath);
    if (!loading) {
      loading = this.importHandler(handlerPath);
      this.loaded.set(handlerPath, loading);
    }
    return loading;
  }

  private async importHandler(handlerPath: string): Promise<Handler> {
    const dot = handlerPath.lastIndexOf(".");
    const file = path.join(this.repositoryRoot, `${handlerPath.slice(0, dot)}.ts`);
    const exported = handlerPath.slice(dot + 1);
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const handler = module[exported];
    if (typeof handler !== "function") {
      throw new Error(`${file} does not export a handler named ${exported}`);
    }
    return handler as Handler;
  }

  private context(handlerPath: string): Context {
    const started = Date.now();
    const functionName = `amelia-local-${path.basename(handlerPath.slice(0, handlerPath.lastIndexOf(".")))}`;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      memoryLimitInMB: "1024",
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: "local",
      getRemainingTimeInMillis: () => Math.max(0, TIMEOUT_MS - (Date.now() - started)),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }
}
