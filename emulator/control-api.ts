// The /__emulator/ control routes tests and the demo use to steer the emulator: reset, stats, faults, token
// revocation and lifetimes, grants (users' and clients'), and moving users between divisions. Not part of Genesys.
import type { IncomingMessage } from "node:http";

import type { StatsSnapshot } from "./call-stats";
import { describeFaults, FaultInputError, type Faults } from "./faults";
import { ApiError, parseJson, readBody, type Reply } from "./http";
import type { UserState } from "./model";
import type { EmulatorState } from "./state";

/** What the control routes act on. */
export interface Controlled {
  readonly state: EmulatorState;
  readonly faults: Faults;
  readonly seed: number;
  reset(): void;
  snapshot(): StatsSnapshot;
  resetStats(): void;
  setFaults(input: Record<string, unknown>): Faults;
}

function validGrants(grants: unknown): grants is { roleId: string; divisionId: string }[] {
  return Array.isArray(grants) && grants.every((g: unknown) => typeof g === "object" && g !== null && typeof (g as { roleId?: unknown }).roleId === "string" && typeof (g as { divisionId?: unknown }).divisionId === "string");
}

export async function handleControl(emu: Controlled, method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
  const json = async () => parseJson(await readBody(req));
  const route = `${method} ${path}`;
  const state = emu.state;
  try {
    if (route === "GET /__emulator/health") {
      return { status: 200, body: { status: "ok", org: state.org.name, users: state.users.size, seed: emu.seed } };
    }
    if (route === "POST /__emulator/reset") {
      emu.reset();
      return { status: 200, body: { status: "reset" } };
    }
    if (route === "GET /__emulator/stats") return { status: 200, body: emu.snapshot() };
    if (route === "DELETE /__emulator/stats") {
      emu.resetStats();
      return { status: 200, body: emu.snapshot() };
    }
    if (route === "GET /__emulator/faults") return { status: 200, body: describeFaults(emu.faults) };
    if (route === "PUT /__emulator/faults") {
      return { status: 200, body: describeFaults(emu.setFaults((await json()) as Record<string, unknown>)) };
    }
    if (route === "POST /__emulator/tokens/revoke") return { status: 200, body: { revoked: state.revokeAllTokens() } };
    let m = /^GET \/__emulator\/divisions\/([^/]+)\/user-ids$/.exec(route);
    if (m?.[1]) {
      if (!state.divisions.has(m[1])) return { status: 404, body: { error: "unknown division" } };
      const st = query.get("state") ?? "any";
      const states: UserState[] | null = st === "any" ? ["active", "inactive"] : st === "active" || st === "inactive" ? [st] : null;
      if (!states) return { status: 400, body: { error: "state must be active, inactive or any" } };
      return { status: 200, body: state.memberIds(m[1], states) };
    }
    m = /^PUT \/__emulator\/clients\/([^/]+)$/.exec(route);
    if (m?.[1]) {
      const client = state.clients.get(m[1]);
      const body = (await json()) as { accessTokenValiditySeconds?: unknown; roleDivisions?: unknown } | undefined;
      // roleDivisions: a client-credentials client's grants (tests take the BFF's permissions away with it).
      if (client && body && "roleDivisions" in body) {
        if (!validGrants(body.roleDivisions)) return { status: 400, body: { error: "bad roleDivisions" } };
        client.roleDivisions = body.roleDivisions.map((g) => ({ roleId: g.roleId, divisionId: g.divisionId }));
        return { status: 200, body: { id: client.id, roleDivisions: client.roleDivisions } };
      }
      const seconds = body?.accessTokenValiditySeconds;
      if (!client || typeof seconds !== "number" || seconds < 1) return { status: 400, body: { error: "unknown client or bad accessTokenValiditySeconds" } };
      state.lifetimeOverrides.set(client.id, seconds);
      return { status: 200, body: { id: client.id, accessTokenValiditySeconds: seconds } };
    }
    m = /^PUT \/__emulator\/users\/([^/]+)\/grants$/.exec(route);
    if (m?.[1]) {
      const user = state.users.get(m[1]);
      const body = (await json()) as { grants?: unknown } | undefined;
      const grants = body?.grants;
      if (!user || !validGrants(grants)) return { status: 400, body: { error: "unknown user or bad grants" } };
      user.grants = grants.map((g) => ({ roleId: g.roleId, divisionId: g.divisionId }));
      return { status: 200, body: { id: user.id, grants: user.grants } };
    }
    m = /^POST \/__emulator\/users\/([^/]+)\/move$/.exec(route);
    if (m?.[1]) {
      const body = (await json()) as { divisionId?: unknown } | undefined;
      if (!state.users.has(m[1]) || typeof body?.divisionId !== "string" || !state.divisions.has(body.divisionId)) {
        return { status: 400, body: { error: "unknown user or division" } };
      }
      state.moveUser(m[1], body.divisionId);
      return { status: 200, body: { id: m[1], divisionId: body.divisionId } };
    }
    return { status: 404, body: { error: "unknown emulator control route" } };
  } catch (e) {
    if (e instanceof FaultInputError) return { status: 400, body: { error: e.message } };
    if (e instanceof ApiError) return { status: e.status, body: { error: e.message } };
    throw e;
  }
}
