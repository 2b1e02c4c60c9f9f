export interface MessageThrottleOptions {
  /** A chunk is sent once it holds this many characters… */
  maxChars: number;
  /** …or once this long has passed since the last one and it holds at least `minChars`. */
  intervalMs: number;
  minChars: number;
  now?: () => number;
}

export const DEFAULT_THROTTLE: MessageThrottleOptions = {
  maxChars: 2_000,
  intervalMs: 3_000,
  minChars: 200,
};

/**
 * Turns a model's streamed text (thousands of small deltas) into a handful of `agent_message`
 * events: text is gathered and sent in chunks, cut at a line break when one is near the end.
 * Chunks are sent one after another, in order; `flush` sends the rest and waits for all of them.
 */
export class MessageThrottle {
  private buffer = "";
  private lastSent: number;
  private sending: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly send: (text: string) => Promise<void>,
    private readonly options: MessageThrottleOptions = DEFAULT_THROTTLE,
  ) {
    this.now = options.now ?? Date.now;
    this.lastSent = this.now();
  }

  push(delta: string): void {
    this.buffer += delta;
    const due =
      this.buffer.length >= this.options.maxChars ||
      (this.buffer.trim().length >= this.options.minChars &&
        this.now() - this.lastSent >= this.options.intervalMs);
    if (!due) return;
    const breakAt = this.buffer.lastIndexOf("\n");
    const cut = breakAt >= this.buffer.length / 2 ? breakAt + 1 : this.buffer.length;
    this.emit(this.buffer.slice(0, cut));
    this.buffer = this.buffer.slice(cut);
  }

  async flush(): Promise<void> {
    this.emit(this.buffer);
    this.buffer = "";
    await this.sending;
  }

  private emit(text: string): void {
    this.lastSent = this.now();
    const trimmed = text.trim();
    if (trimmed === "") return;
    this.sending = this.sending.then(() => this.send(trimmed));
  }
}
