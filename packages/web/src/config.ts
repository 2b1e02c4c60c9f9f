/** Where the API and the WebSocket are: set at build time for a deployed site, else this host. */
export interface Endpoints {
  apiUrl: string;
  wsUrl: string;
}

export function endpoints(
  env: { VITE_API_URL?: string; VITE_WS_URL?: string } = import.meta.env,
  location: Pick<Location, "protocol" | "host"> = window.location,
): Endpoints {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return {
    apiUrl: (env.VITE_API_URL || "").replace(/\/+$/, ""),
    wsUrl: env.VITE_WS_URL || `${scheme}//${location.host}/ws`,
  };
}
