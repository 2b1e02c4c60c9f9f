import { createContext, useContext } from "react";
import type { ApiClient } from "./api/ApiClient";
import type { TokenStore } from "./auth/TokenStore";
import type { LiveConnection } from "./live/LiveConnection";

export interface Services {
  api: ApiClient;
  live: LiveConnection;
  tokens: TokenStore;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs a <ServicesContext.Provider>");
  return services;
}
