/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `npm run dev` forwards /api and /ws: a local runtime started with `npm start`. */
const runtime = process.env.AMELIA_API_URL ?? "http://127.0.0.1:8420";

export default defineConfig({
  plugins: [react()],
  // One React: a library that npm hoists beside the CLI's React 18 must still use this package's.
  resolve: { dedupe: ["react", "react-dom"] },
  // Vite's defaults, stated for Vitest (which empties them): react-diff-view's ES build, not its
  // CommonJS one, whose require("react") would pass by the deduplication.
  environments: {
    client: { resolve: { mainFields: ["browser", "module", "jsnext:main", "jsnext"] } },
  },
  server: {
    proxy: {
      "/api": runtime,
      "/ws": { target: runtime.replace(/^http/, "ws"), ws: true },
    },
  },
  // Component and client tests; the root `vitest run` includes this project as "web".
  test: {
    name: "web",
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
    // Through Vite, so that its React is deduplicated as in the build.
    server: { deps: { inline: ["react-diff-view"] } },
  },
});
