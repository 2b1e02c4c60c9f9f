/** API Gateway bills WebSocket messages in 32 KB increments. */
const WEBSOCKET_MESSAGE_UNIT_BYTES = 32 * 1024;
/** A DynamoDB write unit covers 1 KB of item; a strongly consistent read unit 4 KB. */
const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;
const WRITE_OPERATIONS = new Set(["PutItem", "UpdateItem", "DeleteItem"]);
const READ_OPERATIONS = new Set(["GetItem", "Query"]);

export interface LambdaUsage {
  invocations: number;
  durationMs: number;
}

/** What the local runtime observed, in the units AWS bills. */
export interface UsageCounts {
  /** By SST handler path. */
  lambda: Record<string, LambdaUsage>;
  stateTransitions: number;
  eventBridgeEvents: number;
  httpRequests: number;
  /** Both directions, in 32 KB units. */
  webSocketMessages: number;
  dynamo: { operations: Record<string, number>; writeUnits: number; readUnits: number };
}

/**
 * Counts the billable work the emulated services do, so a workflow's AWS cost can be estimated
 * from a real run (`npm run bench`). Counting is cheap, so it is always on.
 */
export class UsageMeter {
  private counts: UsageCounts = emptyCounts();

  lambda(handler: string, durationMs: number): void {
    const usage = (this.counts.lambda[handler] ??= { invocations: 0, durationMs: 0 });
    usage.invocations++;
    usage.durationMs += durationMs;
  }

  stateTransition(): void {
    this.counts.stateTransitions++;
  }

  eventBridgeEvent(): void {
    this.counts.eventBridgeEvents++;
  }

  httpRequest(): void {
    this.counts.httpRequests++;
  }

  webSocketMessage(bytes: number): void {
    this.counts.webSocketMessages += Math.max(1, Math.ceil(bytes / WEBSOCKET_MESSAGE_UNIT_BYTES));
  }

  /**
   * One DynamoDB request. Units are estimated from the wire sizes, which bound the items' sizes
   * from above: writes from the request, plus one more write per global secondary index whose
   * key the item carries; reads from the response, as strongly consistent reads.
   */
  dynamo(
    operation: string,
    body: string,
    responseBytes: number,
    indexKeys: readonly string[],
  ): void {
    const { dynamo } = this.counts;
    dynamo.operations[operation] = (dynamo.operations[operation] ?? 0) + 1;
    if (WRITE_OPERATIONS.has(operation)) {
      const units = Math.max(1, Math.ceil(Buffer.byteLength(body) / WRITE_UNIT_BYTES));
      const indexes = indexKeys.filter((key) => body.includes(`"${key}"`)).length;
      dynamo.writeUnits += units * (1 + indexes);
    } else if (READ_OPERATIONS.has(operation)) {
      dynamo.readUnits += Math.max(1, Math.ceil(responseBytes / READ_UNIT_BYTES));
    }
  }

  snapshot(): UsageCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = emptyCounts();
  }
}

function emptyCounts(): UsageCounts {
  return {
    lambda: {},
    stateTransitions: 0,
    eventBridgeEvents: 0,
    httpRequests: 0,
    webSocketMessages: 0,
    dynamo: { operations: {}, writeUnits: 0, readUnits: 0 },
  };
}
