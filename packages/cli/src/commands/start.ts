import { EventSequencer } from "@amelia/client";
import { budgetArgument } from "../budgetArgument";
import type { CommandContext } from "../CommandContext";
import { EXIT_CODES, type ExitCode } from "../exitCodes";
import { repositoryFor } from "../repository";
import { followWorkflow } from "./follow";

export interface StartOptions {
  title?: string;
  description?: string;
  /** A path or URL; false with --no-repo; undefined: the current git work tree. */
  repo?: string | boolean;
  /** US dollars, as typed; undefined: the server's default. */
  budget?: string;
  follow?: boolean;
}

/** Starts a workflow and prints its id; with --follow, its events until the first gate. */
export async function start(
  context: CommandContext,
  issueId: string,
  options: StartOptions,
): Promise<ExitCode> {
  const { output, api } = context;
  const budgetUsd =
    options.budget === undefined
      ? undefined
      : budgetArgument(options.budget, "Give US dollars: --budget 5, or --budget 2.50");
  const repository = await repositoryFor(options.repo, context.cwd);
  const workflow = await output.while(
    `Starting a workflow for ${issueId}`,
    api.createWorkflow({
      issueId,
      ...(options.title !== undefined && { title: options.title }),
      ...(options.description !== undefined && { description: options.description }),
      ...(repository !== undefined && { repository }),
      ...(budgetUsd !== undefined && { budgetUsd }),
    }),
  );
  if (output.json) {
    if (options.follow) output.record(workflow);
    else output.document(workflow);
  } else {
    output.line(workflow.id);
    output.note(
      `Started ${workflow.issueId} on branch ${workflow.branch ?? "?"} in ` +
        `${workflow.repository ?? "a scratch repository"}.` +
        (options.follow ? "" : ` Follow it: amelia logs ${workflow.id} --follow`),
    );
  }
  if (!options.follow) return EXIT_CODES.ok;
  return followWorkflow(context, workflow.id, new EventSequencer(), { stopAtGate: true });
}
