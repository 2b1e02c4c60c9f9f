/**
 * The exit codes of `amelia`, defined once: scripts branch on them, docs/cli.md lists them.
 */
export const EXIT_CODES = {
  /** The command did what it was asked. */
  ok: 0,
  /** The server answered with an error (its `code` and message are printed). */
  serverRefused: 1,
  /** The command line is wrong: unknown command or option, missing or invalid argument. */
  usage: 2,
  /** The server could not be reached (not running, wrong AMELIA_API_URL, network). */
  unreachable: 3,
  /** A followed workflow ended `failed`. */
  workflowFailed: 4,
  /** A followed workflow ended `cancelled`. */
  workflowCancelled: 5,
  /** A bug in amelia itself (EX_SOFTWARE): the stack trace is printed. */
  internalError: 70,
  /** Interrupted with Ctrl+C (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
