/** Faults a test injects into a fake: the next calls of a method throw the given errors, in turn. */
export class Faults<Method extends string> {
  private readonly queued = new Map<Method, unknown[]>();

  /** The next call of `method` throws `error` (queued: one per call). */
  failNext(method: Method, error: unknown): void {
    this.queued.set(method, [...(this.queued.get(method) ?? []), error]);
  }

  /** Throws the fault queued for this call of `method`, if any. */
  check(method: Method): void {
    const fault = this.queued.get(method)?.shift();
    if (fault !== undefined) throw fault;
  }
}
