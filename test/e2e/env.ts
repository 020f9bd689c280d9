// Paths and ports shared by the Playwright config, global setup and the specs.
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3300);
export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");

export interface StackUrls {
  app: string;
  emulator: string;
}

/** The running stack's URLs, set by global-setup.ts. */
export function stackUrls(): StackUrls {
  const app = process.env.E2E_APP_URL;
  const emulator = process.env.E2E_EMULATOR_URL;
  if (!app || !emulator) throw new Error("E2E_APP_URL / E2E_EMULATOR_URL are not set: run the specs through playwright.config.ts");
  return { app, emulator };
}
