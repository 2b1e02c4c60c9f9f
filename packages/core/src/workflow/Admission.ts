import { ConcurrencyLimitError, WorkflowConflictError } from "../errors";
import { keys } from "../store/table";
import type { Claim, ClaimStore, ProjectionStore } from "./dependencies";
import { isTerminal } from "./status";

/** A claim with no workflow after this long belongs to a create that died half-way. */
export const ABANDONED_CLAIM_MS = 60_000;

export interface AdmissionOptions {
  maxActiveWorkflows: number;
  /** Epoch ms: when a claim is made, and whether an unowned one is old enough to reclaim. */
  clock?: () => number;
}

/** The issue a workflow works on: one active workflow per repository and issue. */
export interface IssueKey {
  issueId: string;
  repository?: string;
}

/**
 * Which workflows may be active: one per issue (the 409 rule) and at most
 * `maxActiveWorkflows` at once (the 429 rule). Each is an item a workflow claims while active;
 * a claim left behind by a workflow that ended, or by a create that died, is reclaimed.
 */
export class Admission {
  private readonly clock: () => number;

  constructor(
    private readonly claims: ClaimStore,
    private readonly projections: Pick<ProjectionStore, "get">,
    private readonly options: AdmissionOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Claims the issue (409 when another active workflow holds it), then an active slot (429). */
  async claim(id: string, issue: IssueKey): Promise<void> {
    await this.claimIssue(id, issue);
    try {
      await this.claimSlot(id);
    } catch (error) {
      await this.releaseIssue(id, issue);
      throw error;
    }
  }

  /** The workflow active on the issue now, if any. */
  async activeOn(issue: IssueKey): Promise<string | undefined> {
    const holder = await this.claims.holder(
      keys.issueLock(issue.repository, issue.issueId),
      keys.lock,
    );
    if (!holder) return undefined;
    const held = await this.projections.get(holder.workflowId);
    return held && !isTerminal(held.status) ? held.id : undefined;
  }

  /** Frees the issue and the slot of a workflow that ended. */
  async release(workflow: { id: string } & IssueKey): Promise<void> {
    await this.releaseIssue(workflow.id, workflow);
    const holders = await this.claims.slotHolders();
    for (const [sk, holder] of holders) {
      if (holder.workflowId === workflow.id) await this.claims.release(keys.slots, sk, workflow.id);
    }
  }

  private async claimIssue(id: string, issue: IssueKey): Promise<void> {
    const pk = keys.issueLock(issue.repository, issue.issueId);
    for (;;) {
      const result = await this.claims.claim(pk, keys.lock, this.claimFor(id));
      if (result.kind === "claimed") return;
      if (result.kind === "held" && !(await this.reclaimIfEnded(pk, keys.lock, result.holder))) {
        throw new WorkflowConflictError(issue.issueId, issue.repository, result.holder.workflowId);
      }
    }
  }

  private async claimSlot(id: string): Promise<void> {
    const limit = this.options.maxActiveWorkflows;
    for (let pass = 0; pass < 2; pass++) {
      const holders = await this.claims.slotHolders();
      for (let n = 0; n < limit; n++) {
        const sk = keys.slot(n);
        if (holders.has(sk)) continue;
        const result = await this.claims.claim(keys.slots, sk, this.claimFor(id));
        if (result.kind === "claimed") return;
      }
      // Full: a slot may still be held by a workflow that ended without releasing it.
      let reclaimed = false;
      for (const [sk, holder] of holders) {
        if (await this.reclaimIfEnded(keys.slots, sk, holder)) reclaimed = true;
      }
      if (!reclaimed) break;
    }
    throw new ConcurrencyLimitError(limit);
  }

  private async reclaimIfEnded(pk: string, sk: string, holder: Claim): Promise<boolean> {
    const held = await this.projections.get(holder.workflowId);
    if (held && !isTerminal(held.status)) return false;
    // No workflow yet: a create in flight, unless it has been that way too long to be alive.
    if (!held && this.clock() - holder.claimedAt < ABANDONED_CLAIM_MS) return false;
    await this.claims.release(pk, sk, holder.workflowId);
    return true;
  }

  private releaseIssue(id: string, issue: IssueKey): Promise<void> {
    return this.claims.release(keys.issueLock(issue.repository, issue.issueId), keys.lock, id);
  }

  private claimFor(workflowId: string): Claim {
    return { workflowId, claimedAt: this.clock() };
  }
}
