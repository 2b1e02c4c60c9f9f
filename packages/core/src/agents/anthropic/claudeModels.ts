import type { AgentSettings } from "../agentSettings";
import { priceOf, type ModelPrice } from "../../pricing";

type Agent = keyof AgentSettings["models"];

export interface ClaudeModels {
  /** The label a workflow records: the model, or each agent's when they differ. */
  model: string;
  prices: Record<Agent, ModelPrice>;
}

/**
 * The agents' Claude models as priced. Apart from the driver so that the functions that only
 * name the model (health, creating a workflow) do not bundle the Anthropic SDK; they refuse an
 * unpriced model as the driver does.
 */
export function claudeModels({ models, prices }: AgentSettings): ClaudeModels {
  const distinct = new Set(Object.values(models));
  return {
    model:
      distinct.size === 1
        ? models.developer
        : `architect:${models.architect} developer:${models.developer} reviewer:${models.reviewer}`,
    prices: {
      architect: requirePrice(prices, models.architect),
      developer: requirePrice(prices, models.developer),
      reviewer: requirePrice(prices, models.reviewer),
    },
  };
}

function requirePrice(prices: AgentSettings["prices"], model: string): ModelPrice {
  const price = priceOf(prices, model);
  if (!price) {
    throw new Error(
      `No price for model ${model}: add it to AMELIA_MODEL_PRICES ` +
        `(JSON: {"${model}": {"input": …, "output": …, "cacheWrite": …, "cacheRead": …}}, USD per million tokens)`,
    );
  }
  return price;
}
