import { EXIT_CODES } from "./exitCodes";
import { run } from "./program";

// `amelia logs <id> --follow | head`: a reader that has seen enough is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(EXIT_CODES.ok);
});

try {
  process.exitCode = await run(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
} catch (error) {
  // Not a CliError: a bug, so its own exit code (never 1, which scripts read as a server refusal).
  console.error("amelia: unexpected error", error);
  process.exitCode = EXIT_CODES.internalError;
}
