import { randomUUID } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type { RuleDefinition } from "@amelia/core/definitions/rules";
import { AwsServiceError } from "../protocol/AwsServiceError";
import { checkPattern, matchesPattern } from "./eventPattern";
import type { JsonService } from "../protocol/JsonService";
import { consoleLog, type EmulatorLog } from "../../log";

/** An event as EventBridge delivers it to a Lambda target. */
export interface EventBridgeEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  /** ISO 8601 to the second, e.g. `2026-01-01T12:00:00Z`. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface EventBridgeEmulatorOptions {
  rules: readonly RuleDefinition[];
  /** Runs a rule target (a function name from the rule) with the event. */
  invokeFunction: (functionName: string, event: EventBridgeEvent) => Promise<unknown>;
  /** JSONL file receiving events whose target still failed after every retry. */
  deadLetterFile: string;
  region?: string;
  account?: string;
  /** When set, entries for any other bus fail like entries for a bus that does not exist. */
  eventBusName?: string;
  /** Pauses between delivery attempts; one more attempt than there are pauses. */
  retryDelaysMs?: readonly number[];
  log?: EmulatorLog;
  /** Called for every event accepted onto the bus (EventBridge bills each). */
  onEventAccepted?: () => void;
}

type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * The broadcaster is invoked asynchronously, as EventBridge invokes Lambda: a function error is
 * retried twice (three attempts, as Lambda's asynchronous invocation does), then goes to the
 * on-failure destination, here the dead-letter file. Seconds, not AWS's minutes.
 */
const DEFAULT_RETRY_DELAYS_MS = [250, 1000];
const MAX_ENTRIES = 10;

class EntryRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * EventBridge PutEvents (JSON 1.1, `AWSEvents.*`) with the product's rules: matching events go to
 * each rule target asynchronously, after PutEvents has returned, at least once. A target that keeps
 * failing gets its event appended to the dead-letter file.
 */
export class EventBridgeEmulator implements JsonService {
  readonly targetPrefix = "AWSEvents";
  readonly jsonVersion = "1.1";

  private readonly inFlight = new Set<Promise<void>>();
  private readonly region: string;
  private readonly account: string;

  constructor(private readonly options: EventBridgeEmulatorOptions) {
    for (const rule of options.rules) checkPattern(rule.pattern, rule.name);
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? "000000000000";
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    if (operation !== "PutEvents") {
      throw new AwsServiceError(
        "UnknownOperationException",
        `${operation} is not emulated locally`,
      );
    }
    return this.putEvents(input);
  }

  /** Resolves once every delivery started so far (retries included) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private putEvents(input: Record<string, unknown>) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError(
        "ValidationException",
        `1 validation error detected: 'entries' must hold 1 to ${MAX_ENTRIES} entries`,
      );
    }
    const results: PutEventsResultEntry[] = entries.map((entry: unknown) => {
      try {
        const event = this.toEvent(entry);
        this.options.onEventAccepted?.();
        this.route(event);
        return { EventId: event.id };
      } catch (error) {
        if (!(error instanceof EntryRejected)) throw error;
        return { ErrorCode: error.code, ErrorMessage: error.message };
      }
    });
    const failed = results.filter((result) => "ErrorCode" in result).length;
    return { FailedEntryCount: failed, Entries: results };
  }

  private toEvent(entry: unknown): EventBridgeEvent {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const missing = ["Source", "DetailType", "Detail"].filter(
      (name) => typeof fields[name] !== "string" || fields[name] === "",
    );
    if (missing.length > 0) {
      throw new EntryRejected(
        "InvalidArgument",
        `Parameter(s) ${missing.join(", ")} must be specified.`,
      );
    }
    this.checkBus(fields.EventBusName);
    let detail: unknown;
    try {
      detail = JSON.parse(fields.Detail as string);
    } catch {
      throw new EntryRejected("MalformedDetail", "Detail is malformed.");
    }
    if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
      throw new EntryRejected("MalformedDetail", "Detail is malformed.");
    }
    const resources = Array.isArray(fields.Resources) ? fields.Resources.map(String) : [];
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": fields.DetailType as string,
      source: fields.Source as string,
      account: this.account,
      time: eventTime(fields.Time),
      region: this.region,
      resources,
      detail: detail as Record<string, unknown>,
    };
  }

  private checkBus(busName: unknown): void {
    const expected = this.options.eventBusName;
    if (expected === undefined || busName === undefined || busName === null) return;
    const name = String(busName).replace(/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//, "");
    if (name !== expected) {
      throw new EntryRejected("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    }
  }

  private route(event: EventBridgeEvent): void {
    const envelope = event as unknown as Record<string, unknown>;
    for (const rule of this.options.rules) {
      if (!matchesPattern(rule.pattern, envelope)) continue;
      for (const target of rule.targets) {
        const delivery = this.deliver(rule.name, target, event);
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      }
    }
  }

  private async deliver(rule: string, target: string, event: EventBridgeEvent): Promise<void> {
    await nextTurn(); // PutEvents answers before any target runs, as on AWS
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.invokeFunction(target, structuredClone(event));
        return;
      } catch (error) {
        const delay = delays[attempt - 1];
        if (delay === undefined) {
          await this.deadLetter(rule, target, event, attempt, error);
          return;
        }
        await sleep(delay);
      }
    }
  }

  private async deadLetter(
    rule: string,
    target: string,
    event: EventBridgeEvent,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const reason =
      error instanceof Error
        ? { name: error.name, message: error.message }
        : { message: String(error) };
    const line = { time: new Date().toISOString(), rule, target, attempts, error: reason, event };
    this.report("EventBridge target failed; event dead-lettered", {
      rule,
      target,
      eventId: event.id,
      attempts,
      error: reason,
      deadLetterFile: this.options.deadLetterFile,
    });
    try {
      await mkdir(dirname(this.options.deadLetterFile), { recursive: true, mode: 0o700 });
      await appendFile(this.options.deadLetterFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch (writeError) {
      this.report("Could not write the EventBridge dead-letter file", { error: writeError, event });
    }
  }

  private report(message: string, details: Record<string, unknown>): void {
    (this.options.log ?? consoleLog)(message, details);
  }
}

/** EventBridge's `time`: the entry's Time (epoch seconds from the SDK, or a date string), else now. */
function eventTime(time: unknown): string {
  const date =
    typeof time === "number"
      ? new Date(time * 1000)
      : typeof time === "string"
        ? new Date(time)
        : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return valid.toISOString().replace(/\.\d{3}Z$/, "Z");
}
