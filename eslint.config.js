// One lint setup for every workspace; `make lint` runs it with --max-warnings 0.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "**/src/gen/**", "**/gen/**", "reports/**", "coverage/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each workspace's tsconfig.test.json covers its sources and tests.
        project: ["./*/tsconfig.test.json", "./languages/*/tsconfig.test.json", "./languages/*/*/tsconfig.test.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Template literals with numbers and bigints are how ids and counts are printed.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-console": "error",
    },
  },
  {
    // Plain JS config files are not part of any TypeScript project.
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
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
