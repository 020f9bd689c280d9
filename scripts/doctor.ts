// npm run doctor
// Checks, read-only and with the BFF's own credentials (.env), what this org's Genesys Cloud does where the
// documentation is silent, and whether Tenantscope can work with it: one line per check (what was tested →
// what Genesys answered → what Tenantscope does about it), then the Genesys calls it took.
// Exit codes: 0 Tenantscope can work, 1 something blocks it (named on the last lines), 2 bad configuration.
import fs from "node:fs";

import { adviceFor, appErrorFromUpstream, capabilityAdvice, DIRECTORY_USER_VIEW, divisionsWithPermission, getBffClient, getCapabilities, toUpstreamError, UpstreamError, type CapabilityReport } from "@/lib/server/genesys";
import { accessExplorerCheck } from "@/lib/server/diagnostics";
import { AppError, ConfigError, getEnv, logToStderr } from "@/lib/server/platform";

const EXIT = { ok: 0, blocked: 1, config: 2 } as const;

const out = (line: string) => process.stdout.write(`${line}\n`);

function asAppError(e: unknown): AppError | undefined {
  if (e instanceof UpstreamError) return appErrorFromUpstream(e);
  return e instanceof AppError ? e : undefined;
}

/** What blocks Tenantscope, in words with the fix; never a raw SDK error (it can carry the Basic auth header). */
function blockerOf(what: string, e: unknown): string[] {
  const app = asAppError(e);
  if (!app) return [`${what}: ${toUpstreamError(e).message}`];
  return [`${what}: ${app.message}`, ...(capabilityAdvice(app) ?? adviceFor(app)).map((step) => `  - ${step}`)];
}

function line(r: CapabilityReport): string {
  return `${r.key} = ${String(r.value)} (${r.calls} call${r.calls === 1 ? "" : "s"}): ${r.tested} → ${r.answered} → ${r.action}`;
}

/** Whether the BFF's client may read any division's users; the reason when not. */
async function divisionBlockers(): Promise<string[]> {
  try {
    const permitted = await divisionsWithPermission(getBffClient(), DIRECTORY_USER_VIEW);
    if (permitted.all || permitted.divisions.length > 0) return [];
    return [`No division the client may read: it holds ${DIRECTORY_USER_VIEW} in none. Give it a role with that permission in each division Tenantscope should list (Admin > Integrations > OAuth > Roles).`];
  } catch (e) {
    return blockerOf("Cannot tell which divisions the client may read", e);
  }
}

async function main(): Promise<number> {
  if (fs.existsSync(".env")) process.loadEnvFile(".env");
  // The probes draw some 400s on purpose; those are answers, not problems worth a warning line.
  process.env.LOG_LEVEL ??= "error";
  logToStderr();
  const env = getEnv();
  const client = getBffClient();
  out(`Tenantscope doctor: ${env.genesys.gateway ? `gateway ${env.genesys.apiBaseUrl}` : `region ${env.genesys.region.key}`}, client ${env.genesys.clientId.slice(0, 8)}…`);
  try {
    await client.checkToken();
  } catch (e) {
    for (const l of blockerOf("Blocked: no token", e)) out(l);
    return EXIT.blocked;
  }
  const blockers = await divisionBlockers();
  const reports = await getCapabilities().probeAll();
  for (const r of reports) out(line(r));
  // What /access needs beyond reading users: missing, it is a warning (the rest of Tenantscope works).
  const access = await accessExplorerCheck(client);
  for (const row of access.value ?? []) out(`access explorer: ${row.permission} ${row.held ? "held" : "missing"}, to ${row.purpose}`);
  if (access.failure) for (const l of [`Warning: ${access.failure.message}`, ...access.failure.fix.map((step) => `  - ${step}`)]) out(l);
  const calls = Object.values(client.stats.calls).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
  const logins = client.stats.tokenRefreshes;
  out(`Genesys calls used: ${calls} in all, and ${logins} token request${logins === 1 ? "" : "s"} (a read several checks share counts at the first).`);
  if (blockers.length > 0) {
    out("Blocked: Tenantscope cannot work with this org until this is fixed.");
    for (const l of blockers) out(l);
    return EXIT.blocked;
  }
  out("OK: Tenantscope can work with this org.");
  return EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  (raw: unknown) => {
    if (raw instanceof ConfigError) {
      console.error(`Configuration error: ${raw.message}`);
      process.exit(EXIT.config);
    }
    for (const l of blockerOf("Error", raw)) console.error(l);
    process.exit(EXIT.blocked);
  },
);
