// One lint setup for every workspace; `make lint` runs it with --max-warnings 0.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [".tmp/**", "**/dist/**", "**/node_modules/**", "**/src/gen/**", "**/gen/**", "reports/**", "coverage/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each workspace's tsconfig.test.json covers its sources and tests.
        project: [
          "./*/tsconfig.test.json",
          "./languages/*/tsconfig.test.json",
          "./languages/*/*/tsconfig.test.json",
          // The Node support library's examples (languages/node-support/examples/<example>).
          "./languages/*/*/*/tsconfig.test.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Template literals with numbers and bigints are how ids and counts are printed.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-console": "error",
      // Parameters a signature requires but an implementation does not use start with "_".
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Arrow shorthands that forward a void call (`(x) => resolve(x)`) are the idiom of
      // every callback-based API here (grpc-js, streams); braces would add noise, not safety.
      "@typescript-eslint/no-confusing-void-expression": "off",
    },
  },
  {
    // Plain JS config files are not part of any TypeScript project.
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Node scripts (.mjs) run outside TypeScript; they may use Node's globals.
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", Buffer: "readonly", console: "readonly" } },
  },
  {
    // Pages of the examples (examples/<example>/web) run in a browser.
    files: ["**/web/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    // Tests may print diagnostics and use non-null assertions on values the test just built.
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: {
      "no-console": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
