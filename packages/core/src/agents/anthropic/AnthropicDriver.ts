import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import type { AgentSettings } from "../agentSettings";
import { reviewSchema, type Review } from "../../events/types";
import type { ModelPrice } from "../../pricing";
import type { Workspace } from "../../workspace/Workspace";
import type {
  AgentContext,
  AgentDriver,
  BudgetStop,
  DevelopRequest,
  DevelopResult,
  DevelopSession,
  PlanRequest,
  ReviewRequest,
  SandboxTools,
  StageSession,
  ToolOutcome,
} from "../AgentDriver";
import { ARCHITECT_PROMPT } from "../prompts/system/architect";
import { DEVELOPER_PROMPT } from "../prompts/system/developer";
import { REVIEWER_PROMPT } from "../prompts/system/reviewer";
import { claudeModels } from "./claudeModels";
import { loopStateSchema, newLoopState, type LoopState } from "./conversation";
import type { ModelClient } from "./ModelClient";
import { developTask, planTask, repositoryContext, reviewTask } from "../prompts/userPrompts";
import { toolInputSchema } from "./toolSchema";
import { ToolLoop, type LoopSpec } from "./ToolLoop";
import {
  isWorkspaceTool,
  READ_TOOLS,
  runWorkspaceTool,
  workspaceToolDefinitions,
  WRITE_TOOLS,
  type ToolPolicy,
  type WorkspaceToolName,
} from "./workspaceTools";
import { runSandboxTool, sandboxToolDefinitions } from "./sandboxTools";

type Agent = keyof AgentSettings["models"];

const planSubmission = z.strictObject({
  plan: z.string().trim().min(1).describe("The whole plan, in markdown"),
});
const reviewSubmission = reviewSchema.strict().superRefine((review, ctx) => {
  if (!review.approved && review.comments.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["comments"],
      message: "a review that asks for changes needs at least one comment saying what to change",
    });
  }
});
const finishSubmission = z.strictObject({
  summary: z.string().trim().min(1).describe("What you changed and why, in a few sentences"),
});

function submitTool(name: string, description: string, schema: z.ZodType): Tool {
  return { name, description, input_schema: toolInputSchema(schema), strict: true };
}

const SUBMIT_PLAN = submitTool(
  "submit_plan",
  "Submit the finished plan for the person to approve. Call it exactly once, at the end.",
  planSubmission,
);
const SUBMIT_REVIEW = submitTool(
  "submit_review",
  "Submit the review verdict. Call it exactly once, at the end.",
  reviewSubmission,
);
const FINISH = submitTool(
  "finish",
  "Finish the implementation round once every change is made. Amelia then commits the work.",
  finishSubmission,
);

/**
 * The three agents as Claude tool loops over the workspace. Every model call goes through one
 * resilient client (retries, circuit breaker) and is accounted for (a `token_usage` event with
 * its cost); the agents' text is streamed into a few `agent_message` events.
 */
export class AnthropicDriver implements AgentDriver {
  readonly demo = false;
  readonly model: string;
  private readonly prices: Record<Agent, ModelPrice>;

  constructor(
    private readonly client: ModelClient,
    private readonly settings: AgentSettings,
  ) {
    const { model, prices } = claudeModels(settings);
    this.model = model;
    this.prices = prices;
  }

  async plan(
    request: PlanRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session?: StageSession,
  ) {
    const result = await this.runToSubmission(
      ctx,
      this.spec(
        "architect",
        ARCHITECT_PROMPT,
        workspace,
        READ_TOOLS,
        SUBMIT_PLAN,
        planSubmission,
        undefined,
      ),
      async () =>
        newLoopState(
          repositoryContext(request.files, { instructions: request.instructions }),
          planTask(request),
        ),
      session,
    );
    return "budgetStop" in result ? result : { plan: result.value.plan };
  }

  async develop(
    request: DevelopRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session: DevelopSession,
  ): Promise<DevelopResult> {
    const saved = await session.load();
    const state: LoopState =
      saved === undefined
        ? newLoopState(await branchContext(request, workspace), developTask(request))
        : (loopStateSchema.parse(saved) as LoopState);
    const spec: LoopSpec<z.infer<typeof finishSubmission>> = {
      ...this.spec(
        "developer",
        DEVELOPER_PROMPT,
        workspace,
        WRITE_TOOLS,
        FINISH,
        finishSubmission,
        ctx.sandbox,
      ),
      maxTurns: this.settings.developerMaxTurns,
      pauseAfter: { turns: session.turnBudget, deadline: session.deadline },
      afterTurn: (current) => session.save(current),
    };
    const result = await this.loop(ctx).run(spec, state);
    switch (result.status) {
      case "submitted":
        return { done: true, summary: result.value.summary };
      case "paused":
        return { done: false };
      case "over_budget":
        await session.save(state);
        return { budgetStop: { nextCallUsd: result.nextCallUsd } };
    }
  }

  async review(
    request: ReviewRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session?: StageSession,
  ): Promise<{ review: Review } | BudgetStop> {
    const result = await this.runToSubmission(
      ctx,
      this.spec(
        "reviewer",
        REVIEWER_PROMPT,
        workspace,
        READ_TOOLS,
        SUBMIT_REVIEW,
        reviewSubmission,
        ctx.sandbox && { runChecks: (names) => ctx.sandbox!.runChecks(names) },
      ),
      async () => newLoopState(await branchContext(request, workspace), reviewTask(request)),
      session,
    );
    return "budgetStop" in result ? result : { review: result.value };
  }

  private loop(ctx: AgentContext): ToolLoop {
    return new ToolLoop(this.client, ctx, this.settings.maxTokens);
  }

  /**
   * Runs a loop with no turn budget (the architect's, the reviewer's) to its submission, from
   * the conversation a budget stop saved, if any; a budget stop saves it again.
   */
  private async runToSubmission<T>(
    ctx: AgentContext,
    spec: LoopSpec<T>,
    fresh: () => Promise<LoopState>,
    session: StageSession | undefined,
  ): Promise<{ value: T } | BudgetStop> {
    const saved = await session?.load();
    const state = saved === undefined ? await fresh() : (loopStateSchema.parse(saved) as LoopState);
    const result = await this.loop(ctx).run(spec, state);
    switch (result.status) {
      case "submitted":
        return { value: result.value };
      case "over_budget":
        if (!session)
          throw new Error(`The ${spec.agent} stopped at the budget with nowhere to save`);
        await session.save(state);
        return { budgetStop: { nextCallUsd: result.nextCallUsd } };
      case "paused":
        throw new Error(`The ${spec.agent} paused without a turn budget`);
    }
  }

  private spec<T>(
    agent: Agent,
    prompt: string,
    workspace: Workspace,
    tools: readonly WorkspaceToolName[],
    submit: Tool,
    schema: z.ZodType<T>,
    sandbox: SandboxTools | undefined,
  ): LoopSpec<T> {
    return {
      agent,
      model: this.settings.models[agent],
      price: this.prices[agent],
      prompt,
      tools: [...workspaceToolDefinitions(tools), ...sandboxToolDefinitions(sandbox), submit],
      submit: { name: submit.name, schema },
      runTool: (name, input) =>
        runSandboxTool(sandbox, name, input) ??
        runTool(workspace, tools, name, input, {
          allowWorkflowEdits: this.settings.allowWorkflowEdits,
        }),
      maxTurns: this.settings.maxTurns,
    };
  }
}

/** The repository context of a stage on the branch: its files and the repository's instructions. */
async function branchContext(
  request: DevelopRequest | ReviewRequest,
  workspace: Workspace,
): Promise<string> {
  return repositoryContext(await workspace.listFiles(), {
    branch: workspace.branch,
    instructions: request.instructions,
  });
}

function runTool(
  workspace: Workspace,
  allowed: readonly WorkspaceToolName[],
  name: string,
  input: unknown,
  policy: ToolPolicy,
): Promise<ToolOutcome> {
  if (!isWorkspaceTool(name) || !allowed.includes(name)) {
    return Promise.resolve({ content: `There is no tool named ${name}`, isError: true });
  }
  return runWorkspaceTool(workspace, name, input, policy);
}
