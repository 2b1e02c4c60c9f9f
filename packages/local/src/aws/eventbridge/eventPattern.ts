import type { EventPattern } from "@amelia/core/definitions/rules";

/**
 * EventBridge event patterns, restricted to what is implemented here: exact values (strings,
 * numbers, booleans, null) in arrays, and nested objects. Content filters (`prefix`,
 * `anything-but`, `numeric`, `exists`, …) are refused by `checkPattern` rather than mismatched.
 */
export function checkPattern(pattern: EventPattern, ruleName: string, path: string[] = []): void {
  const where = (key: string) => [...path, key].join(".");
  if (Object.keys(pattern).length === 0) {
    throw new Error(`Rule "${ruleName}": empty event pattern at ${path.join(".") || "top level"}`);
  }
  for (const [key, value] of Object.entries(pattern) as [string, unknown][]) {
    if (Array.isArray(value)) {
      if (value.length === 0)
        throw new Error(`Rule "${ruleName}": empty value list at ${where(key)}`);
      for (const item of value) {
        if (item !== null && typeof item === "object") {
          const operator = Object.keys(item as object)[0] ?? "{}";
          throw new Error(
            `Rule "${ruleName}": event pattern operator "${operator}" at ${where(key)} is not supported ` +
              `locally (only exact values and nested fields are)`,
          );
        }
      }
    } else if (value !== null && typeof value === "object") {
      checkPattern(value as EventPattern, ruleName, [...path, key]);
    } else {
      throw new Error(
        `Rule "${ruleName}": ${where(key)} must be an array of values or a nested pattern`,
      );
    }
  }
}

/** Whether an event (the EventBridge envelope, `detail` parsed) matches a checked pattern. */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) {
      // An array field matches when any of its elements does.
      const values: unknown[] = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => value !== undefined && (expected as unknown[]).includes(value));
    }
    return (
      actual !== null &&
      typeof actual === "object" &&
      !Array.isArray(actual) &&
      matchesPattern(expected, actual as Record<string, unknown>)
    );
  });
}
