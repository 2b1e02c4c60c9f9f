import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** Who may import whom: core is the base; functions are built on core only; nothing imports cli or web. */
const DEPENDENCY_ZONES = [
  {
    target: "./packages/core",
    from: ["./packages/functions", "./packages/local", "./packages/web", "./packages/cli"],
    message: "packages/core is the base: it imports no other package of the product.",
  },
  {
    target: "./packages/functions",
    from: ["./packages/local", "./packages/web", "./packages/cli"],
    message: "packages/functions run on Lambda: they import packages/core only.",
  },
];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".sst/**", ".amelia/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // A server's handler may be assigned once, after the server it serves already exists.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // The namespace import tree-shakes; the named `z` pulls every locale into each bundle.
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: 'Use `import * as z from "zod"`.',
        },
      ],
    },
  },
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "import-x": importX },
    settings: {
      // Parse the imported TypeScript modules too, or no-cycle sees no edges at all.
      "import-x/extensions": importX.flatConfigs.typescript.settings["import-x/extensions"],
      "import-x/parsers": importX.flatConfigs.typescript.settings["import-x/parsers"],
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          project: ["tsconfig.json", "packages/web/tsconfig.json"],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: DEPENDENCY_ZONES }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
);
