import type oraFactory from "ora";
import type { Ora } from "ora";
import picocolors from "picocolors";
import type { Colors } from "picocolors/types";
import type { CliError } from "./errors";

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface OutputOptions {
  json: boolean;
  /** false with --no-color. */
  color: boolean;
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
}

/**
 * Where a command's output goes. Results go to stdout; notes, spinners and errors to stderr.
 * With --json, stdout carries JSON only and stderr only errors (as JSON). Colours only on a
 * terminal, never with NO_COLOR or --no-color; the spinner only on an interactive stderr.
 */
export class Output {
  readonly json: boolean;
  /** Colours for stdout. */
  readonly colors: Colors;
  private readonly errorColors: Colors;
  private spinner: Ora | undefined;

  private constructor(
    private readonly options: OutputOptions,
    /** Loaded only for an interactive stderr: scripts do not pay for it at start-up. */
    private readonly ora: typeof oraFactory | undefined,
  ) {
    this.json = options.json;
    this.colors = picocolors.createColors(!options.json && colorEnabled(options.stdout, options));
    this.errorColors = picocolors.createColors(
      !options.json && colorEnabled(options.stderr, options),
    );
  }

  static async create(options: OutputOptions): Promise<Output> {
    // A terminal of zero columns (a bare pty) would make ora's line arithmetic divide by zero.
    const interactive =
      !options.json && Boolean(options.stderr.isTTY) && (options.stderr.columns ?? 0) > 0;
    return new Output(options, interactive ? (await import("ora")).default : undefined);
  }

  /** A line of human output on stdout (a running spinner moves below it by itself). */
  line(text: string): void {
    this.options.stdout.write(`${text}\n`);
  }

  /** Text as it is on stdout: a patch keeps its own line ends. */
  text(text: string): void {
    this.options.stdout.write(text);
  }

  /** A note for the person on stderr (nothing with --json). */
  note(text: string): void {
    if (!this.json) this.options.stderr.write(`${this.errorColors.dim(text)}\n`);
  }

  /** Something the person should know about the result, on stderr (nothing with --json). */
  warning(text: string): void {
    const c = this.errorColors;
    if (!this.json) this.options.stderr.write(`${c.yellow(c.bold("warning"))} ${text}\n`);
  }

  /** One JSON document on stdout. */
  document(value: unknown): void {
    this.options.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line, for streams of records (NDJSON). */
  record(value: unknown): void {
    this.options.stdout.write(`${JSON.stringify(value)}\n`);
  }

  error(error: CliError): void {
    this.stopSpinner();
    if (this.json) {
      const body = {
        code: error.code,
        error: error.message,
        ...(error.details !== undefined && { details: error.details }),
        ...(error.hint !== undefined && { hint: error.hint }),
      };
      this.options.stderr.write(`${JSON.stringify(body)}\n`);
      return;
    }
    const c = this.errorColors;
    this.options.stderr.write(
      `${c.red(c.bold("error"))} ${c.bold(error.code)}: ${error.message}\n`,
    );
    if (error.hint) this.options.stderr.write(`${c.dim(error.hint)}\n`);
  }

  /** Shows a spinner with the text (on an interactive stderr) until stopSpinner(). */
  spin(text: string): void {
    if (!this.ora) return;
    if (this.spinner) {
      this.spinner.text = text;
      return;
    }
    this.spinner = this.ora({
      text,
      stream: this.options.stderr as NodeJS.WritableStream,
      color: this.errorColors.isColorSupported ? "cyan" : false,
      discardStdin: false,
    }).start();
  }

  stopSpinner(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }

  /** Runs the work with a spinner showing the text. */
  async while<T>(text: string, work: Promise<T>): Promise<T> {
    this.spin(text);
    try {
      return await work;
    } finally {
      this.stopSpinner();
    }
  }
}

function colorEnabled(stream: Stream, options: OutputOptions): boolean {
  if (!options.color || options.env.NO_COLOR) return false;
  if (options.env.FORCE_COLOR !== undefined) return options.env.FORCE_COLOR !== "0";
  return Boolean(stream.isTTY) && options.env.TERM !== "dumb";
}
