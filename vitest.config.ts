import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/tests/unit/**/*.test.ts", "tests/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/tests/integration/**/*.test.ts", "tests/integration/**/*.test.ts"],
          globalSetup: ["tests/support/buildWebOnce.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/support/buildWebOnce.ts"],
        },
      },
      "packages/web/vite.config.ts",
    ],
  },
});
