// HTTP tests: each file starts the emulator and the built app (`next start`, so run `next build` first) on
// its own port and talks to it over real HTTP with real next-auth sessions. Files run one at a time: two
// Next servers plus the emulator's seeded org would fight over a small machine's CPU.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(root),
      // "server-only" throws outside a React Server Component bundle; tests import shared code directly.
      "server-only": path.resolve(root, "test/support/server-only.ts"),
    },
  },
  test: {
    include: ["test/http/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
