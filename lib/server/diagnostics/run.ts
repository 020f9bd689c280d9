import "server-only";

import { operatorAccess, refreshDivisionUsers, type AuthorizedDivision } from "@/lib/server/divisions";
import { DIRECTORY_USER_VIEW, ROLE_VIEW, getBffClient, getCapabilities, adviceFor, capabilityAdvice, describePermission, divisionsWithPermission, appErrorFromUpstream, roleGrants, UpstreamError, type Role } from "@/lib/server/genesys";
import { AppError, getEnv, isAppError, processSingleton } from "@/lib/server/platform";
import type { CheckFailure, Check, Diagnostics, DivisionRow, DivisionTest } from "@/lib/shared/contract";

import { accessExplorerCheck } from "./access-permissions";
import { DivisionTests } from "./division-tests";

// The raw material of the admin diagnostics page: each check runs live against Genesys and, when it
// fails, says what Genesys answered (code, message, correlation id) and what to do about it.

function failure(e: unknown, context?: { divisionId?: string; divisionName?: string }): CheckFailure {
  const app = e instanceof UpstreamError ? appErrorFromUpstream(e, context) : isAppError(e) ? e : new AppError("internal", "Unexpected failure");
  const d = app.details ?? {};
  return {
    code: app.code,
    message: app.message,
    ...(typeof d.genesysCode === "string" ? { genesysCode: d.genesysCode } : {}),
    ...(typeof d.correlationId === "string" ? { correlationId: d.correlationId } : {}),
    ...(typeof d.upstreamStatus === "number" ? { upstreamStatus: d.upstreamStatus } : {}),
    fix: capabilityAdvice(app) ?? adviceFor(app),
  };
}

async function check<T>(run: () => Promise<T>): Promise<Check<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, failure: failure(e) };
  }
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export async function runDiagnostics(): Promise<Diagnostics> {
  const env = getEnv();
  const client = getBffClient();
  const config = {
    region: env.genesys.region.key,
    loginHost: host(env.genesys.loginBaseUrl),
    apiHost: host(env.genesys.apiBaseUrl),
    gateway: env.genesys.gateway !== undefined,
    clientIdPresent: env.genesys.clientId !== "",
    clientIdHint: `${env.genesys.clientId.slice(0, 8)}…`,
    isolationMode: env.isolation.mode,
  };
  const token = await check(async () => {
    await client.checkToken();
    return { obtained: true as const };
  });
  if (!token.ok) {
    const skipped: Check<never> = { ok: false, failure: { code: "skipped", message: "Skipped: no token could be obtained.", fix: [] } };
    return { ranAt: new Date().toISOString(), config, token, tokenInfo: skipped, grants: skipped, divisions: skipped };
  }

  // The capability probes (about 30 calls at most) run alongside the other checks.
  const capabilities = check(() => getCapabilities().probeAll());
  const accessExplorer = accessExplorerCheck(client);
  const [info, divisionList, permitted] = await Promise.all([check(() => client.getTokenInfo()), check(() => client.listDivisions()), check(() => divisionsWithPermission(client, DIRECTORY_USER_VIEW))]);
  const names = new Map((divisionList.value ?? []).map((d) => [d.id, d.name]));
  const tokenInfo: Diagnostics["tokenInfo"] = info.ok
    ? {
        ok: true,
        value: {
          organization: info.value?.organization?.name ?? "",
          clientName: info.value?.OAuthClient?.name ?? "",
          grantType: info.value?.OAuthClient?.authorizedGrantType ?? "",
        },
      }
    : { ok: false, ...(info.failure ? { failure: info.failure } : {}) };

  // Role names and permissions need authorization:role:view; without it the grants are still listed by id.
  const roleDivisions = info.value?.OAuthClient?.roleDivisions ?? [];
  const roleIds = [...new Set(roleDivisions.map((g) => g.roleId))];
  const roles = new Map<string, Role>();
  let roleFailure: CheckFailure | undefined;
  await Promise.all(
    roleIds.map(async (id) => {
      try {
        roles.set(id, await client.getRole(id));
      } catch (e) {
        roleFailure ??= failure(e);
      }
    }),
  );
  const grantRows = roleDivisions.map((g) => ({
    roleId: g.roleId,
    roleName: roles.get(g.roleId)?.name ?? g.roleId,
    divisionId: g.divisionId,
    divisionName: g.divisionId === "*" ? "All divisions" : (names.get(g.divisionId) ?? g.divisionId),
    permissions: roles.get(g.roleId)?.permissions ?? [],
  }));
  const grants: Diagnostics["grants"] = roleFailure
    ? { ok: false, value: grantRows, failure: { ...roleFailure, fix: [`Give the client a role with ${describePermission(ROLE_VIEW)} to see role names here.`, ...roleFailure.fix] } }
    : { ok: true, value: grantRows };

  let divisions: Diagnostics["divisions"];
  if (!divisionList.ok || !permitted.ok) {
    divisions = { ok: false, ...(divisionList.failure ?? permitted.failure ? { failure: (divisionList.failure ?? permitted.failure) as CheckFailure } : {}) };
  } else {
    const allowed = new Set((permitted.value?.divisions ?? []).map((d) => d.id));
    const rows: DivisionRow[] = (divisionList.value ?? []).map((d) => {
      const has = permitted.value?.all === true || allowed.has(d.id);
      const roleNames = grantRows.filter((g) => g.divisionId === d.id || g.divisionId === "*").map((g) => g.roleName);
      return {
        id: d.id,
        name: d.name,
        userCount: d.objectCounts?.USER ?? null,
        hasDirectoryUserView: has,
        roles: [...new Set(roleNames)],
        ...(has
          ? {}
          : {
              ...(permitted.value?.correlationId ? { correlationId: permitted.value.correlationId } : {}),
              fix: [
                `In Genesys Cloud open Admin > Integrations > OAuth > ${tokenInfo.value?.clientName || "(Tenantscope's client)"} > Roles.`,
                `Give it a role that has ${describePermission(DIRECTORY_USER_VIEW)} in division ${d.name}${roles.size ? ` (for example add ${d.name} to the divisions of a role it already has, such as ${[...roles.values()].find((r) => roleGrants(r, DIRECTORY_USER_VIEW))?.name ?? "a directory viewer role"})` : ""}.`,
                "Changes take up to 5 minutes to apply; then run the diagnostics again.",
              ],
            }),
      };
    });
    rows.sort((a, b) => a.name.localeCompare(b.name, "en"));
    const missing = rows.filter((r) => !r.hasDirectoryUserView);
    divisions = {
      ok: missing.length === 0,
      value: rows,
      ...(missing.length
        ? {
            failure: {
              code: "upstream_forbidden",
              message:
                missing.length === rows.length
                  ? `The client lacks ${DIRECTORY_USER_VIEW} in every division, so Tenantscope can list no users at all.`
                  : `The client lacks ${DIRECTORY_USER_VIEW} in ${missing.map((m) => m.name).join(", ")}.`,
              fix: missing[0]?.fix ?? [],
              ...(permitted.value?.correlationId ? { correlationId: permitted.value.correlationId } : {}),
            },
          }
        : {}),
    };
  }
  return { ranAt: new Date().toISOString(), config, token, tokenInfo, grants, divisions, capabilities: await capabilities, accessExplorer: await accessExplorer };
}

/**
 * Divisions tested at once per instance: two lets an admin compare a failing division with a working one,
 * and keeps a burst of tests from filling the budget's lanes (division-tests.ts).
 */
const MAX_DIVISIONS_UNDER_TEST = 2;

/**
 * Runs the real scoped fetch for one division afresh (sharing a test or load of it already running) and
 * reports what happened; a test of one division too many is refused (429 rate_limited).
 */
export async function testDivision(divisionId: string): Promise<DivisionTest> {
  const division = operatorAccess.forDiagnostics(divisionId);
  const tests = processSingleton("division-tests", () => new DivisionTests<DivisionTest>(MAX_DIVISIONS_UNDER_TEST));
  return tests.run(division.id, () => readAndReport(division));
}

async function readAndReport(division: AuthorizedDivision): Promise<DivisionTest> {
  const divisionId = division.id;
  try {
    const r = await refreshDivisionUsers(division);
    const iso = r.meta.isolation;
    return {
      ok: true,
      divisionId,
      divisionName: r.division.name,
      users: r.users.length,
      searchPages: r.meta.searchPages,
      upstreamCalls: r.meta.upstreamCalls,
      durationMs: r.meta.durationMs,
      isolation: { verified: iso.verified, dropped: iso.dropped.length, objectCount: iso.objectCount, countMatches: iso.countMatches },
    };
  } catch (e) {
    if (isAppError(e) && e.code === "bad_request") throw e;
    return { ok: false, divisionId, failure: failure(e, { divisionId }) };
  }
}
