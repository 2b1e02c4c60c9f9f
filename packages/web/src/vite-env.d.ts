/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the HTTP API (e.g. https://abc.execute-api…/); default: this page's origin. */
  readonly VITE_API_URL?: string;
  /** URL of the WebSocket API; default: ws(s)://<this host>/ws. */
  readonly VITE_WS_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
