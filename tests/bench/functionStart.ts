import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";

/**
 * One event for every kind of function: a route's request with no body, a task's payload (the
 * gate's and the finish's fields too), both on a workflow that does not exist. The answer does
 * not matter (a 404, a task's NotFoundError): most functions read the table to give it, so the
 * first call's SDK set-up and connection are in it, as in a cold start's first request. Those
 * that refuse the event first (a WebSocket message's, the webhook's signature) do not.
 */
const EVENT = {
  headers: {},
  pathParameters: { id: "bench-start" },
  queryStringParameters: {},
  requestContext: { connectionId: "bench-start", http: { method: "GET" } },
  workflowId: "bench-start",
  gate: "plan",
  taskToken: "bench-start",
  outcome: "completed",
};

const CONTEXT = {
  functionName: "bench-start",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench-start",
  memoryLimitInMB: "256",
  awsRequestId: "bench-start",
};

/** Runs in the fresh process: imports the bundle, invokes it once, prints both times. */
const CHILD = `
const started = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
const imported = performance.now();
const context = { ...${JSON.stringify(CONTEXT)}, getRemainingTimeInMillis: () => 10000 };
await Promise.resolve(handler(${JSON.stringify(EVENT)}, context)).catch(() => undefined);
const invoked = performance.now();
console.log("\\n" + JSON.stringify({ importMs: imported - started, invokeMs: invoked - imported }));
`;

export interface StartTime {
  /** Evaluating the bundle: Lambda's init phase. */
  importMs: number;
  /** The first invocation: the clients built and the first calls made. */
  invokeMs: number;
}

function startOnce(bundle: string, environment: Readonly<Record<string, string>>) {
  return new Promise<StartTime>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      env: {
        ...environment,
        BENCH_BUNDLE: pathToFileURL(bundle).href,
        POWERTOOLS_LOG_LEVEL: "SILENT",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = output.trim().split("\n").at(-1);
      if (code !== 0 || !last) reject(new Error(`${bundle}: the process exited with ${code}`));
      else resolve(JSON.parse(last) as StartTime);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * A function's cold start against the local runtime's emulators, `environment` its functions'
 * environment: the median of `runs` fresh Node processes, one after another.
 */
export async function startTime(
  bundle: string,
  environment: Readonly<Record<string, string>>,
  runs = 3,
): Promise<StartTime> {
  const times: StartTime[] = [];
  for (let i = 0; i < runs; i++) times.push(await startOnce(bundle, environment));
  return {
    importMs: median(times.map((t) => t.importMs)),
    invokeMs: median(times.map((t) => t.invokeMs)),
  };
}
