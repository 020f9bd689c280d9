import { defineConfig } from "@playwright/test";

import { APP_PORT } from "./test/e2e/env";

// Browser specs against the real stack (emulator + `next start`), started once by test/e2e/global-setup.ts.
// Deterministic on purpose: one worker, no retries, specs in a fixed order (see test/e2e/*.spec.ts).
export default defineConfig({
  testDir: "test/e2e",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  // Not test-results/ itself: Playwright empties its outputDir, and the unit/HTTP reports live there.
  outputDir: "test-results/playwright-artifacts",
  globalSetup: "./test/e2e/global-setup.ts",
  globalTeardown: "./test/e2e/global-teardown.ts",
  // The BFF spends at most 270 Genesys requests in any 60 s window (Genesys allows 300/min/token), and a
  // cold 12,000-user division needs ~250. Projects run in this order (one worker): Umbrella's cold fetch
  // first, on a fresh budget; everything else; the Initech leak test last, once Umbrella's burst has left
  // the window. No project depends on another, so a failure in one does not skip the others.
  projects: [
    { name: "umbrella", testMatch: "umbrella.spec.ts" },
    { name: "app", testMatch: "*.spec.ts", testIgnore: ["umbrella.spec.ts", "isolation.spec.ts"] },
    { name: "isolation", testMatch: "isolation.spec.ts" },
  ],
  use: {
    // next-auth's state cookie needs the host of NEXTAUTH_URL (localhost, not 127.0.0.1).
    baseURL: process.env.E2E_APP_URL ?? `http://localhost:${APP_PORT}`,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
