import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiClient } from "./api/ApiClient";
import { App } from "./App";
import { TokenStore } from "./auth/TokenStore";
import { endpoints, socketUrl } from "./config";
import { LiveConnection } from "./live/LiveConnection";
import { ServicesContext } from "./services";
import "./styles.css";

const { apiUrl, wsUrl } = endpoints();
const tokens = new TokenStore();
const api = new ApiClient(apiUrl, tokens);
const live = new LiveConnection({ url: () => socketUrl(wsUrl, tokens.token) });

// A new token opens a new connection with it (the old one may have been refused).
let token = tokens.token;
tokens.subscribe(() => {
  if (tokens.token === token) return;
  token = tokens.token;
  live.reconnect();
});
live.start();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ServicesContext.Provider value={{ api, live, tokens }}>
      <App />
    </ServicesContext.Provider>
  </StrictMode>,
);
