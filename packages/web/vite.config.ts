/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `npm run dev` forwards /api and /ws: a local runtime started with `npm start`. */
const runtime = process.env.AMELIA_API_URL ?? "http://127.0.0.1:8420";

export default defineConfig({
  plugins: [react()],
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
  },
});
