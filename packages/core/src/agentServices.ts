import { BaseAnthropic } from "@anthropic-ai/sdk/client";
import { Messages } from "@anthropic-ai/sdk/resources/messages/messages";
import type { AgentDriver } from "./agents/AgentDriver";
import type { AgentSettings } from "./agents/agentSettings";
import { AnthropicDriver } from "./agents/anthropic/AnthropicDriver";
import { ModelClient } from "./agents/anthropic/ModelClient";
import { DemoDriver } from "./agents/DemoDriver";
import { agentSettings, chooseModel } from "./modelServices";
import { CircuitBreaker } from "./resilience/CircuitBreaker";
import { readSecret } from "./secrets";
import { services, type Services } from "./services";

export interface AgentServices extends Services {
  agentSettings: AgentSettings;
  /** The driver of the model chosen for this call (see `chooseModel`). */
  driver(): Promise<AgentDriver>;
}

let cached: AgentServices | undefined;

/** What the agents' tasks need: the workflow's services and the model's drivers. */
export function agentServices(): AgentServices {
  cached ??= {
    ...services(),
    agentSettings: agentSettings(),
    driver: driverSelector(agentSettings()),
  };
  return cached;
}

/**
 * Picks the driver per call. On Bedrock the driver is built at the first call (a function that
 * calls no model needs no region) and kept. Otherwise the key is read through `readSecret`
 * (cached, so a rotated key is picked up within minutes) and a driver is built once per key.
 * The circuit breaker belongs to the provider, so every driver of this process shares it.
 */
export function driverSelector(
  settings: AgentSettings,
  readApiKey: () => Promise<string | undefined> = () => readSecret("anthropicApiKey"),
): () => Promise<AgentDriver> {
  const claude = (
    messages: ConstructorParameters<typeof ModelClient>[0],
    breaker: CircuitBreaker,
  ) =>
    new AnthropicDriver(
      new ModelClient(messages, breaker, {
        maxTokens: settings.maxTokens,
        streaming: settings.streaming,
        ...settings.retry,
      }),
      settings,
    );
  const demo = new DemoDriver();
  const anthropicBreaker = new CircuitBreaker("The Anthropic API", settings.breaker);
  let bedrock: AgentDriver | undefined;
  let current: { apiKey: string; driver: AgentDriver } | undefined;
  return async () => {
    const choice = await chooseModel(settings, readApiKey);
    if (choice.provider === "demo") return demo;
    if (choice.provider === "bedrock") {
      // Loaded only here: the Bedrock SDK brings every Anthropic API resource and AWS's
      // event-stream parsing, which no other process needs to evaluate.
      const { bedrockMessages } = await import("./agents/bedrock/bedrockMessages");
      bedrock ??= claude(
        bedrockMessages(settings.retry.timeoutMs),
        new CircuitBreaker("Amazon Bedrock", settings.breaker),
      );
      return bedrock;
    }
    if (current?.apiKey !== choice.apiKey) {
      // The base client with the Messages resource alone: the full client bundles every API.
      const anthropic = new BaseAnthropic({
        apiKey: choice.apiKey,
        maxRetries: 0,
        timeout: settings.retry.timeoutMs,
      });
      current = {
        apiKey: choice.apiKey,
        driver: claude(new Messages(anthropic), anthropicBreaker),
      };
    }
    return current.driver;
  };
}
