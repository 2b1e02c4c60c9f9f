import { readAgentSettings, type AgentSettings } from "./agents/agentSettings";
import { claudeModels } from "./agents/anthropic/claudeModels";
import { DEMO_MODEL } from "./agents/DemoDriver";
import { readSecret } from "./secrets";

/** Where the agents' model calls go, decided per call (a rotated or removed key counts). */
export type ModelChoice =
  { provider: "bedrock" } | { provider: "anthropic"; apiKey: string } | { provider: "demo" };

/**
 * Claude through Amazon Bedrock (AMELIA_LLM_PROVIDER=bedrock; no Anthropic key is read), else
 * through Anthropic's API when a key is configured, else the offline demo model.
 */
export async function chooseModel(
  settings: AgentSettings,
  readApiKey: () => Promise<string | undefined> = () => readSecret("anthropicApiKey"),
): Promise<ModelChoice> {
  if (settings.provider === "bedrock") return { provider: "bedrock" };
  const apiKey = await readApiKey();
  return apiKey === undefined ? { provider: "demo" } : { provider: "anthropic", apiKey };
}

let settings: AgentSettings | undefined;

/** The agents' settings, read once per process. */
export function agentSettings(): AgentSettings {
  settings ??= readAgentSettings();
  return settings;
}

export interface ModelInUse {
  /** The label the driver has, and new workflows record. */
  model: string;
  demo: boolean;
}

/** The model the agents would call now, named without building its client or its SDK. */
export async function modelInUse(): Promise<ModelInUse> {
  const choice = await chooseModel(agentSettings());
  return choice.provider === "demo"
    ? { model: DEMO_MODEL, demo: true }
    : { model: claudeModels(agentSettings()).model, demo: false };
}
