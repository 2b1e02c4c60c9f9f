import type { UsageCounts } from "../../packages/local/src/metering/UsageMeter";
import { SIZES } from "../../stacks/functionDefaults";
import { deployedFunctions } from "./functions";

/**
 * AWS list prices, us-east-1, in USD (checked against the public pricing pages in 2026; Lambda
 * on arm64, DynamoDB on demand, Step Functions Standard).
 */
const PRICES = {
  stateTransition: 0.025 / 1_000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000133334,
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  eventBridgeEvent: 1 / 1_000_000,
  webSocketMessage: 1 / 1_000_000,
  httpRequest: 1 / 1_000_000,
};

export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

/**
 * The AWS cost of the work the local runtime observed, excluding LLM tokens. Lambda time is the
 * local handlers' time at each function's configured memory, billed per millisecond.
 */
export function estimateCost(usage: UsageCounts): CostLine[] {
  const kinds = deployedFunctions();
  let requests = 0;
  let gbSeconds = 0;
  for (const [handler, { invocations, durationMs }] of Object.entries(usage.lambda)) {
    const kind = kinds.get(handler);
    if (!kind) throw new Error(`No deployed function for ${handler}`);
    requests += invocations;
    gbSeconds += (SIZES[kind].memorySize / 1024) * (Math.ceil(durationMs) / 1000);
  }
  const { dynamo } = usage;
  return [
    line("Step Functions state transitions", usage.stateTransitions, PRICES.stateTransition),
    line("Lambda requests", requests, PRICES.lambdaRequest),
    {
      item: "Lambda compute",
      quantity: `${gbSeconds.toFixed(3)} GB-s`,
      usd: gbSeconds * PRICES.lambdaGbSecond,
    },
    line("DynamoDB write units", dynamo.writeUnits, PRICES.dynamoWriteUnit),
    line("DynamoDB read units", dynamo.readUnits, PRICES.dynamoReadUnit),
    line("EventBridge events", usage.eventBridgeEvents, PRICES.eventBridgeEvent),
    line("WebSocket messages (32 KB units)", usage.webSocketMessages, PRICES.webSocketMessage),
    line("HTTP API requests", usage.httpRequests, PRICES.httpRequest),
  ];
}

function line(item: string, count: number, price: number): CostLine {
  return { item, quantity: String(count), usd: count * price };
}
