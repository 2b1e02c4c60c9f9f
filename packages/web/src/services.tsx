import { ApiClient, LiveConnection, socketUrl, type SocketFactory } from "@amelia/client";
import { createContext, useContext } from "react";
import { TokenStore } from "./auth/TokenStore";
import type { Endpoints } from "./config";

export interface Services {
  api: ApiClient;
  live: LiveConnection;
  tokens: TokenStore;
}

export interface ServiceOptions {
  storage?: Pick<Storage, "getItem" | "setItem">;
  fetch?: typeof fetch;
  createSocket?: SocketFactory;
}

/**
 * The API client and the live connection, both with the person's token: a refused token asks
 * the person for one (once for all requests), and a new token opens a new connection with it.
 */
export function createServices(endpoints: Endpoints, options: ServiceOptions = {}): Services {
  const tokens = new TokenStore(options.storage);
  const api = new ApiClient({
    baseUrl: endpoints.apiUrl,
    token: () => tokens.token,
    renewToken: async () => (await tokens.ask()) !== undefined,
    ...(options.fetch && { fetch: options.fetch }),
  });
  const live = new LiveConnection({
    url: () => socketUrl(endpoints.wsUrl, tokens.token),
    createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
    fetchEvent: (id, sequence) => api.event(id, sequence),
    watchAll: true,
  });
  live.onMessage((message) => {
    if (message.type === "error")
      console.warn(`Amelia WebSocket: ${message.code}: ${message.error}`);
  });
  let token = tokens.token;
  tokens.subscribe(() => {
    if (tokens.token === token) return;
    token = tokens.token;
    live.reconnect();
  });
  return { api, live, tokens };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs a <ServicesContext.Provider>");
  return services;
}
