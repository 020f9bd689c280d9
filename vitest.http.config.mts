// HTTP tests: each file starts the emulator and the built app (`next start`, so run `next build` first) on
// its own port and talks to it over real HTTP with real next-auth sessions. Files run one at a time: two
// Next servers plus the emulator's seeded org would fight over a small machine's CPU.
import { defineConfig } from "vitest/config";

import unit from "./vitest.config.mts";

export default defineConfig({
  // Same aliases as the unit tests ("@", and the "server-only" stand-in).
  resolve: unit.resolve,
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
