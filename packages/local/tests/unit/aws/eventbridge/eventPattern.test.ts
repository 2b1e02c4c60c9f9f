import { describe, expect, it } from "vitest";
import {
  EVENT_DETAIL_TYPE,
  EVENT_SOURCE,
  RULES,
  type EventPattern,
} from "@amelia/core/definitions/rules";
import { checkPattern, matchesPattern } from "../../../../src/aws/eventbridge/eventPattern";

const event = {
  source: "amelia.workflows",
  "detail-type": "WorkflowEvent",
  resources: ["arn:a", "arn:b"],
  detail: { kind: "approved", workflow: { status: "running", round: 2 }, flag: false },
};

describe("event patterns", () => {
  it("accepts the product's rules", () => {
    for (const rule of RULES) expect(() => checkPattern(rule.pattern, rule.name)).not.toThrow();
  });

  it("matches exact values, any element of array fields, and nested fields", () => {
    expect(matchesPattern({ source: ["other", "amelia.workflows"] }, event)).toBe(true);
    expect(matchesPattern({ resources: ["arn:b"] }, event)).toBe(true);
    const nested = { detail: { workflow: { status: ["running"] } } } as EventPattern;
    expect(matchesPattern(nested, event)).toBe(true);
    const typed = {
      detail: { workflow: { round: [2] }, flag: [false] },
    } as unknown as EventPattern;
    expect(matchesPattern(typed, event)).toBe(true);
  });

  it("requires every field to match and a nested pattern to meet an object", () => {
    expect(matchesPattern({ source: ["amelia.workflows"], "detail-type": ["Other"] }, event)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { missing: ["x"] } }, event)).toBe(false);
    expect(matchesPattern({ source: { nested: ["x"] } }, event)).toBe(false);
    const stringNumber = { detail: { workflow: { round: ["2"] } } } as EventPattern;
    expect(matchesPattern(stringNumber, event)).toBe(false);
  });

  it("refuses operators it does not implement, naming the rule and the field", () => {
    const prefix = { detail: { kind: [{ prefix: "app" }] } } as unknown as EventPattern;
    expect(() => checkPattern(prefix, "r1")).toThrow(
      /Rule "r1": event pattern operator "prefix" at detail\.kind/,
    );
    const anythingBut = { source: [{ "anything-but": "x" }] } as unknown as EventPattern;
    expect(() => checkPattern(anythingBut, "r2")).toThrow(/"anything-but"/);
    expect(() => checkPattern({ source: [] }, "r3")).toThrow(/empty value list/);
    expect(() => checkPattern({ source: "x" } as unknown as EventPattern, "r4")).toThrow(
      /must be an array/,
    );
    expect(() => checkPattern({}, "r5")).toThrow(/empty event pattern/);
  });
});

describe("the product's rules, on what the publisher puts on the bus", () => {
  const targetsOf = (type: string, startedBy: string) =>
    RULES.filter((rule) =>
      matchesPattern(rule.pattern, {
        source: EVENT_SOURCE,
        "detail-type": EVENT_DETAIL_TYPE,
        detail: { type, startedBy, reference: { workflowId: "wf-1", sequence: 3 } },
      }),
    ).flatMap((rule) => rule.targets);

  it("brings a GitHub workflow's status changes to its status comment, and every event to subscribers", () => {
    expect(targetsOf("approval_required", "github")).toEqual(["broadcaster", "githubStatus"]);
    expect(targetsOf("agent_message", "github")).toEqual(["broadcaster"]);
  });

  it("does not wake the status reporter for a workflow started through the API", () => {
    expect(targetsOf("approval_required", "api")).toEqual(["broadcaster"]);
  });
});
