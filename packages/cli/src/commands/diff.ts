import type { WorkflowDiff } from "@amelia/client";
import type { CommandContext } from "../CommandContext";
import { colouredDiff, diffStat, incompleteFiles } from "../diffFormat";
import { UsageError } from "../errors";

export interface DiffOptions {
  round?: string;
  stat?: boolean;
}

/**
 * What a developer round changed against the base commit: the unified diff (it applies with
 * `git apply` on the base), its summary with --stat, or the API's answer with --json.
 */
export async function diff(
  context: CommandContext,
  id: string,
  options: DiffOptions,
): Promise<void> {
  const { output, api } = context;
  const round = options.round === undefined ? undefined : roundArgument(options.round);
  const answer = await output.while(`Fetching the diff of ${id}`, api.diff(id, round));
  if (output.json) return output.document(answer);
  output.note(
    `Round ${answer.round} (finished rounds: ${answer.rounds.join(", ")}), ` +
      `${shortCommit(answer.baseCommit)}..${shortCommit(answer.commit)}`,
  );
  if (options.stat) return output.line(diffStat(answer, output.colors));
  if (answer.files.length === 0) {
    return output.note("This round changed nothing against the base commit.");
  }
  output.text(colouredDiff(answer, output.colors));
  warnIfIncomplete(context, answer);
}

/** `--round` is a developer round: a positive integer. */
export function roundArgument(text: string): number {
  const round = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(round) || round < 1) {
    throw new UsageError(
      `The round "${text}" must be a positive integer`,
      "Give a developer round: amelia diff <id> --round 1",
    );
  }
  return round;
}

/** A binary or cut file makes the patch incomplete: say so, and where the whole change is. */
function warnIfIncomplete(context: CommandContext, answer: WorkflowDiff): void {
  const { binary, cut } = incompleteFiles(answer);
  if (binary.length === 0 && cut.length === 0) return;
  const { output } = context;
  if (binary.length > 0) {
    output.warning(`Binary files are listed, not included: ${binary.join(", ")}`);
  }
  if (cut.length > 0) output.warning(`The diff of these files is cut: ${cut.join(", ")}`);
  output.note(
    "The patch is incomplete: `git apply` refuses it. The whole change: " +
      (answer.links?.compare ?? `git diff ${answer.baseCommit} ${answer.commit}`),
  );
}

function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}
