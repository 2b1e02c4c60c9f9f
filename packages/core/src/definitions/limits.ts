/**
 * Size limits, each defined once: the AWS quotas the product runs into, and the product's own
 * limits set below them. Every `_BYTES` limit counts UTF-8 bytes, as AWS does.
 */

/** API Gateway WebSocket APIs: a message (client → API, or one PostToConnection) is at most 128 KB. */
export const WEBSOCKET_MESSAGE_BYTES = 128 * 1024;

/** EventBridge PutEvents: an entry (Source + DetailType + Detail, UTF-8) must be under 256 KB. */
export const EVENTBRIDGE_ENTRY_BYTES = 256 * 1024;

/** DynamoDB: an item (attribute names and values, UTF-8) is at most 400 KB, 1 KB being 1024 bytes. */
export const DYNAMODB_ITEM_BYTES = 400 * 1024;

/** API Gateway HTTP APIs: a request payload is at most 10 MB (the gateway's own 413 above it). */
export const HTTP_API_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * An event in the log, as JSON: a product limit. One event is stored whole however large (in
 * parts when one DynamoDB item cannot hold it); this keeps a page of one event, or a workflow
 * holding a plan and a review of that size, within a Lambda response (6 MB).
 */
export const MAX_EVENT_BYTES = 2 * 1024 * 1024;

/** A page of `GET …/events` stops before this many bytes of events (it always holds one). */
export const EVENTS_PAGE_BYTES = 4 * 1024 * 1024;

/** The functions refuse request bodies larger than this with 413, before any parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An event's `message` in the log: a product limit on displayed text, so characters (at most 3 UTF-8 bytes each). */
export const MAX_MESSAGE_CHARS = 10_000;

/** A workflow's budget is at most this many US dollars: a typo of a few zeros is refused. */
export const MAX_BUDGET_USD = 10_000;

/**
 * `GET …/diff`: the lines of hunks an answer shows, in bytes of JSON, so that it stays within a
 * Lambda response (6 MB) beside the files' list; files past it are listed with their counts.
 */
export const DIFF_ANSWER_BYTES = 4 * 1024 * 1024;
/** One file's shown hunk lines: a person reads that many, and a generated file does not crowd out the rest. */
export const DIFF_FILE_LINES = 5_000;
export const DIFF_FILE_BYTES = 512 * 1024;
