// @ts-check
// The HTTP server's settings, validated by lib/config/server-settings.mjs (the same field parsers as the app's
// lib/server/platform/env.ts). A bad value stops start-up here, before Next loads the app.
import { parseServerSettings } from "../lib/config/server-settings.mjs";

/**
 * @param {Record<string, string | undefined>} source
 * @returns {import("../lib/config/server-settings.mjs").ServerSettings}
 */
export function readServerSettings(source) {
  const result = parseServerSettings(source);
  if (!result.ok) {
    console.error(`Tenantscope cannot start: fix these settings (see .env.example)\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  return result.value;
}
