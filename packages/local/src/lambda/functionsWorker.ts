import { randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { Context } from "aws-lambda";
import type { Invocation, InvocationResult, WorkerSettings } from "./invocation";

/**
 * The product's Lambda handlers, in the worker thread of one local runtime: the same modules, the
 * same handler exports and the same event shapes as on AWS, resolved from SST handler paths, and
 * `process.env` the functions' environment (the worker's own, not the runtime's process's).
 */
type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Lambda's ceiling, which the local invocations honour in their context too. */
const TIMEOUT_MS = 15 * 60 * 1000;

const { repositoryRoot } = workerData as WorkerSettings;
const port = parentPort!;
const loaded = new Map<string, Promise<Handler>>();

port.on("message", (invocation: Invocation) => void invoke(invocation));

async function invoke({ id, handlerPath, event }: Invocation): Promise<void> {
  let started = performance.now();
  let answer: Omit<InvocationResult, "id" | "durationMs">;
  try {
    const handler = await load(handlerPath);
    started = performance.now();
    const result = await handler(event, context(handlerPath));
    answer = result === undefined ? {} : { payload: JSON.stringify(result) };
  } catch (error) {
    answer = {
      error:
        error instanceof Error
          ? { errorType: error.name || "Error", errorMessage: error.message, stack: error.stack }
          : { errorType: "Error", errorMessage: String(error) },
    };
  }
  port.postMessage({ id, durationMs: performance.now() - started, ...answer });
}

function load(handlerPath: string): Promise<Handler> {
  let loading = loaded.get(handlerPath);
  if (!loading) {
    loading = importHandler(handlerPath);
    loaded.set(handlerPath, loading);
  }
  return loading;
}

async function importHandler(handlerPath: string): Promise<Handler> {
  const dot = handlerPath.lastIndexOf(".");
  const file = path.join(repositoryRoot, `${handlerPath.slice(0, dot)}.ts`);
  const exported = handlerPath.slice(dot + 1);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exported];
  if (typeof handler !== "function") {
    throw new Error(`${file} does not export a handler named ${exported}`);
  }
  return handler as Handler;
}

function context(handlerPath: string): Context {
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
