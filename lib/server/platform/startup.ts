import "server-only";

import { ConfigError, describeEnvForLog, getAuthEnv, getEnv } from "./env";
import { getLogger } from "./logger";

/** Validates both configuration sections; on a problem prints it (no secret values) and exits. */
export function checkStartupConfig(): void {
  const problems: string[] = [];
  for (const load of [getEnv, getAuthEnv]) {
    try {
      load();
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) {
    console.error(`Tenantscope cannot start: fix these settings (see .env.example)\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  getLogger().info({ config: describeEnvForLog(getEnv()) }, "configuration loaded");
}
