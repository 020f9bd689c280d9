import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(root),
      // "server-only" throws outside a React Server Component bundle; tests run server code directly.
      "server-only": path.resolve(root, "test/support/server-only.ts"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/http/**", "node_modules/**"],
    environment: "node",
    // The code under test logs every Genesys call; tests that look at logs capture their own.
    env: { LOG_LEVEL: "error" },
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
