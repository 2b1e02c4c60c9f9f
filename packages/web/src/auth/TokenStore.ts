const STORAGE_KEY = "amelia.apiToken";

type Listener = () => void;

/**
 * The API token, kept in localStorage, and the one question that asks the person for it.
 * Many requests can meet a 401 at once: they share a single pending question. Once the person
 * dismisses it, 401s stop asking until they choose "Set token" themselves.
 */
export class TokenStore {
  private pending: { promise: Promise<string | undefined>; answer: (t?: string) => void } | null =
    null;
  private declined = false;
  private asked = false;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Pick<Storage, "getItem" | "setItem"> = localStorage) {}

  get token(): string | undefined {
    return this.storage.getItem(STORAGE_KEY) || undefined;
  }

  /** The server asked for a token at least once, or one is stored: worth a "Set token" button. */
  get needed(): boolean {
    return this.asked || this.token !== undefined;
  }

  /** True while the UI should show the token question. */
  get asking(): boolean {
    return this.pending !== null;
  }

  /** Asks for a token (once for all callers); resolves with it, or undefined if dismissed. */
  ask(explicit = false): Promise<string | undefined> {
    if (this.pending) return this.pending.promise;
    this.asked = true;
    if (this.declined && !explicit) return Promise.resolve(undefined);
    let answer!: (token?: string) => void;
    const promise = new Promise<string | undefined>((resolve) => (answer = resolve));
    this.pending = { promise, answer };
    this.notify();
    return promise;
  }

  /** The person's answer to the question: a token, or nothing when they dismiss it. */
  answer(token: string | undefined): void {
    const pending = this.pending;
    if (!pending) return;
    const trimmed = token?.trim();
    if (trimmed) this.storage.setItem(STORAGE_KEY, trimmed);
    this.declined = !trimmed;
    this.pending = null;
    pending.answer(trimmed || undefined);
    this.notify();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
