import type {
  Claim,
  ClaimResult,
  ClaimStore,
  GateStore,
  OpenGate,
  ProjectionStore,
  WorkflowPage,
  WorkflowListOptions,
} from "../../src/workflow/dependencies";
import type { WorkflowStatus } from "../../src/workflow/status";
import type { Workflow } from "../../src/workflow/Workflow";
import { keys } from "../../src/store/table";
import { Faults } from "./Faults";

/**
 * The workflow store in memory, with the DynamoDB store's conditions: a projection is saved only
 * over the one it was based on, a gate is taken once, a claim is made only on a free item.
 */
export class MemoryWorkflowStore implements ProjectionStore, GateStore, ClaimStore {
  private readonly projections = new Map<string, Workflow>();
  private readonly gates = new Map<string, OpenGate>();
  private readonly claims = new Map<string, Claim>();
  readonly faults = new Faults<"saveProjection" | "putGate">();
  /** A projection larger than this (as JSON) is refused, as a store whose items cannot hold it. */
  maxProjectionBytes = Number.POSITIVE_INFINITY;
  /** Claims that vanish (are released by someone else) between a failed claim and its read. */
  private vanishing = 0;

  async get(workflowId: string): Promise<Workflow | undefined> {
    const workflow = this.projections.get(workflowId);
    return workflow && structuredClone(workflow);
  }

  async saveProjection(workflow: Workflow, basedOn: number | undefined): Promise<boolean> {
    this.faults.check("saveProjection");
    if (Buffer.byteLength(JSON.stringify(workflow)) > this.maxProjectionBytes) {
      throw new Error("Item size has exceeded the maximum allowed size");
    }
    if (this.projections.get(workflow.id)?.lastSequence !== basedOn) return false;
    this.projections.set(workflow.id, structuredClone(workflow));
    return true;
  }

  async list(options: WorkflowListOptions): Promise<WorkflowPage> {
    const all = [...this.projections.values()]
      .filter((w) => options.status === undefined || w.status === options.status)
      .sort((a, b) => `${b.createdAt}#${b.id}`.localeCompare(`${a.createdAt}#${a.id}`));
    const from = Number(options.cursor ?? 0);
    const workflows = structuredClone(all.slice(from, from + options.limit));
    const next = from + options.limit;
    return next < all.length ? { workflows, nextCursor: String(next) } : { workflows };
  }

  async listAllWithStatus(status: WorkflowStatus): Promise<Workflow[]> {
    return (await this.list({ status, limit: Number.MAX_SAFE_INTEGER })).workflows;
  }

  async putGate(workflowId: string, gate: OpenGate): Promise<void> {
    this.faults.check("putGate");
    this.gates.set(workflowId, { ...gate });
  }

  async takeGate(workflowId: string): Promise<OpenGate | undefined> {
    const gate = this.gates.get(workflowId);
    this.gates.delete(workflowId);
    return gate;
  }

  async claim(pk: string, sk: string, claim: Claim): Promise<ClaimResult> {
    const key = `${pk}|${sk}`;
    const holder = this.claims.get(key);
    if (!holder) {
      this.claims.set(key, { ...claim });
      return { kind: "claimed" };
    }
    if (this.vanishing > 0) {
      this.vanishing -= 1;
      this.claims.delete(key);
      return { kind: "vanished" };
    }
    return { kind: "held", holder: { ...holder } };
  }

  async release(pk: string, sk: string, workflowId: string): Promise<void> {
    const key = `${pk}|${sk}`;
    if (this.claims.get(key)?.workflowId === workflowId) this.claims.delete(key);
  }

  async holder(pk: string, sk: string): Promise<Claim | undefined> {
    const holder = this.claims.get(`${pk}|${sk}`);
    return holder && { ...holder };
  }

  async slotHolders(): Promise<Map<string, Claim>> {
    const prefix = `${keys.slots}|`;
    return new Map(
      [...this.claims]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, claim]) => [key.slice(prefix.length), { ...claim }]),
    );
  }

  /** The open gate of a workflow, as the table holds it. */
  openGate(workflowId: string): OpenGate | undefined {
    return this.gates.get(workflowId);
  }

  /** The claim on an item, as the table holds it. */
  claimOf(pk: string, sk: string): Claim | undefined {
    return this.claims.get(`${pk}|${sk}`);
  }

  /** Puts a claim as a process that is gone (or still busy) left it. */
  seedClaim(pk: string, sk: string, claim: Claim): void {
    this.claims.set(`${pk}|${sk}`, { ...claim });
  }

  /** The next `count` claims that find their item held see it released before they read it. */
  vanishNextClaims(count: number): void {
    this.vanishing = count;
  }

  /** Removes a stored projection, as a lost update would. */
  dropProjection(workflowId: string): void {
    this.projections.delete(workflowId);
  }
}
