import { readFileSync } from "node:fs";
import { ApiClient, ApiError } from "@amelia/client";
import { Command, CommanderError } from "commander";
import type { CommandContext } from "./CommandContext";
import { serverConfig } from "./config";
import { CliError, cliErrorOf, UsageError } from "./errors";
import { EXIT_CODES } from "./exitCodes";
import { Output, type Stream } from "./Output";
import type { DiffOptions } from "./commands/diff";
import type { StartOptions } from "./commands/start";

export interface CliEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Stream;
  stderr: Stream;
}

interface OutputFlags {
  json?: boolean;
  color: boolean;
}

/** Longest wait for one HTTP answer; agents run asynchronously, so every route answers fast. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Commands load on use, so `--help` and usage errors do not pay for every module. */
const decisions = () => import("./commands/decisions");

const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { version: string };

const ENVIRONMENT_HELP = `
Environment:
  AMELIA_API_URL    the server (default http://127.0.0.1:8420)
  AMELIA_API_TOKEN  the API token, when the server has one
  AMELIA_WS_URL     the WebSocket (default: AMELIA_API_URL as ws(s)://…/ws)
  NO_COLOR          no colours

Exit codes: 0 ok, 1 server refused, 2 usage error, 3 server unreachable,
  4 followed workflow failed, 5 followed workflow cancelled, 70 internal error,
  130 interrupted.
See docs/cli.md.`;

/** Runs `amelia` with these arguments (after the program name); resolves with the exit code. */
export async function run(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;

  /** Runs a server command with its output and API client; a CliError becomes its exit code. */
  const serverCommand =
    <A extends unknown[]>(handler: (context: CommandContext, ...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      const flags = (args.at(-1) as Command).opts() as OutputFlags;
      const output = await Output.create({
        json: Boolean(flags.json),
        color: flags.color,
        stdout: environment.stdout,
        stderr: environment.stderr,
        env: environment.env,
      });
      // Ctrl+C, whether waiting for an answer or following: stop at once, changing nothing.
      const interrupted = () => {
        output.stopSpinner();
        process.exit(EXIT_CODES.interrupted);
      };
      process.once("SIGINT", interrupted);
      try {
        const server = serverConfig(environment.env);
        const api = new ApiClient({
          baseUrl: server.apiUrl,
          token: () => server.token,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        const context = { output, server, api, cwd: environment.cwd };
        const result = await handler(context, ...(args.slice(0, -1) as A)).catch(
          (error: unknown) => {
            if (!(error instanceof ApiError)) throw error;
            throw cliErrorOf(error, server.apiUrl, server.token !== undefined);
          },
        );
        exitCode = typeof result === "number" ? result : EXIT_CODES.ok;
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        output.error(error);
        exitCode = error.exitCode;
      } finally {
        process.off("SIGINT", interrupted);
      }
    };

  const program = new Command("amelia")
    .description("Drive Amelia workflows from the terminal: start, watch, approve, reject.")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => environment.stdout.write(text),
      writeErr: (text) => environment.stderr.write(text),
      // Usage errors are printed below, as text or as JSON.
      outputError: () => undefined,
    })
    .addHelpText("after", ENVIRONMENT_HELP);

  const serverCommandNamed = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .option("--json", "print machine-readable JSON only")
      .option("--no-color", "no colours (also: NO_COLOR=1)");

  serverCommandNamed("start <issueId>", "start a workflow for an issue and print its id")
    .option("--title <title>", "the issue's title")
    .option("--description <text>", "the issue's description")
    .option(
      "--repo <path>",
      "the git repository to work in (default: the git work tree of the current directory)",
    )
    .option("--no-repo", "work in a scratch repository, even inside a git work tree")
    .option(
      "--budget <usd>",
      "what its models may spend, in US dollars (default: the server's AMELIA_BUDGET_USD, else no limit)",
    )
    .option("--follow", "then print its events until the first gate or the end")
    .action(
      serverCommand(async (context, issueId: string, options: StartOptions) =>
        (await import("./commands/start")).start(context, issueId, options),
      ),
    );

  serverCommandNamed("status [id]", "the active workflows as a table, or one workflow in detail")
    .option("--all", "every workflow, not only the active ones")
    .action(
      serverCommand(async (context, id: string | undefined, options: { all?: boolean }) =>
        (await import("./commands/status")).status(context, id, options),
      ),
    );

  serverCommandNamed(
    "diff <id>",
    "what a developer round changed, as a unified diff (plain when piped: it applies with git apply)",
  )
    .option("--round <n>", "the developer round (default: the latest)")
    .option("--stat", "a summary: each file's status and lines changed, then the totals")
    .action(
      serverCommand(async (context, id: string, options: DiffOptions) =>
        (await import("./commands/diff")).diff(context, id, options),
      ),
    );

  serverCommandNamed("approve <id>", "approve the workflow waiting at a gate").action(
    serverCommand(async (context, id: string) => (await decisions()).approve(context, id)),
  );

  serverCommandNamed(
    "reject <id> <feedback>",
    "reject at a gate with feedback (the architect re-plans, or the developer revises)",
  ).action(
    serverCommand(async (context, id: string, feedback: string) =>
      (await decisions()).reject(context, id, feedback),
    ),
  );

  serverCommandNamed("cancel <id>", "cancel a workflow")
    .option("--reason <text>", "why, recorded in its log")
    .action(
      serverCommand(async (context, id: string, options: { reason?: string }) =>
        (await decisions()).cancel(context, id, options),
      ),
    );

  serverCommandNamed(
    "budget <id> <usd>",
    "raise what a workflow may spend, in US dollars (stopped at the budget gate, it continues)",
  ).action(
    serverCommand(async (context, id: string, usd: string) =>
      (await decisions()).raiseBudget(context, id, usd),
    ),
  );

  serverCommandNamed("resume <id>", "resume a failed workflow from the stage that failed").action(
    serverCommand(async (context, id: string) => (await decisions()).resume(context, id)),
  );

  serverCommandNamed("logs <id>", "print a workflow's events")
    .option("--follow", "then print live events until the workflow ends (reconnects on a drop)")
    .action(
      serverCommand(async (context, id: string, options: { follow?: boolean }) =>
        (await import("./commands/logs")).logs(context, id, options),
      ),
    );

  program
    .command("dev")
    .description("run the local runtime on this machine (the same as `npm start`)")
    .option("--port <port>", "port to listen on (default: AMELIA_PORT, else 8420)")
    .option("--data-dir <dir>", "where the state is kept (default: AMELIA_DATA_DIR, else .amelia)")
    .action(async (options: { port?: string; dataDir?: string }) => {
      exitCode = await (await import("./commands/dev")).dev(options, environment.env);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return usageFailure(error, argv, environment);
  }
}

/** Help and version exit 0; any other parse failure is a usage error (exit 2). */
async function usageFailure(
  error: CommanderError,
  argv: readonly string[],
  environment: CliEnvironment,
): Promise<number> {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
    return EXIT_CODES.ok;
  }
  // `amelia` alone has already printed the help to stderr.
  if (error.code === "commander.help") return EXIT_CODES.usage;
  const output = await Output.create({
    // The parse failed, so the options are unknown: --json anywhere asks for a JSON error.
    json: argv.includes("--json"),
    color: !argv.includes("--no-color"),
    stdout: environment.stdout,
    stderr: environment.stderr,
    env: environment.env,
  });
  const message = error.message.replace(/^error: /, "");
  output.error(
    new UsageError(capitalise(message), "Run amelia --help, or amelia <command> --help."),
  );
  return EXIT_CODES.usage;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
