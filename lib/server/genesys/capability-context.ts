import "server-only";

import { isAppError } from "@/lib/server/platform";

import type { CallOptions, GenesysClient, UserSearchBody, UserSearchCriterion } from "./client";
import { DIRECTORY_USER_VIEW } from "./permissions";
import { divisionsWithPermission, type PermittedDivisions } from "./permitted-divisions";
import type { ApiUser, AuthzDivision, UsersSearchResponse } from "./schemas";

// What the capability probes share: the division list, the client's permitted divisions, the probe division
// and a few search totals, each read once per context however many probes need it (a failed read fails every
// probe that needs it, without being tried again), and a cap on the calls all of them may make together.

/** The most Genesys calls one context may make: probes beyond it answer "unknown". */
export const MAX_PROBE_CALLS = 30;
/** Divisions examined for inactive users before settling for one without. */
const MAX_CANDIDATES = 3;
/** Fewer users than this cannot show whether a search is sorted: such divisions are tried last. */
const MIN_USERS = 10;

export type MemberStates = readonly ("active" | "inactive")[];

/** Counts one probe's calls. */
export interface Tally {
  calls: number;
}

export class ProbeBudgetSpent extends Error {
  constructor() {
    super(`the probes' budget of ${MAX_PROBE_CALLS} Genesys calls is spent`);
  }
}

export interface ProbeDivision {
  id: string;
  name: string;
  /** objectCounts.USER (null when Genesys gave none). */
  count: number | null;
  active: number;
  inactive: number;
  /** A user of this division, active or inactive (none when it has none). */
  member: ApiUser | undefined;
  /** How many candidate divisions were examined for inactive users. */
  examined: number;
}

export type ProbeDivisionResult = { ok: true; division: ProbeDivision } | { ok: false; reason: string };

export interface SearchTotal {
  total: number;
  first: ApiUser | undefined;
}

export interface OrgTotals {
  active: number | undefined;
  inactive: number | undefined;
}

export const criteria = {
  division: (divisionId: string): UserSearchCriterion => ({ type: "EXACT", fields: ["divisionId"], values: [divisionId] }),
  states: (states: MemberStates): UserSearchCriterion => ({ type: "EXACT", fields: ["state"], values: [...states] }),
  idPrefix: (prefix: string): UserSearchCriterion => ({ type: "STARTS_WITH", fields: ["id"], values: [prefix] }),
};

export const MEMBERS: MemberStates = ["active", "inactive"];

export class ProbeContext {
  calls = 0;
  private divisionsRead: Promise<AuthzDivision[]> | undefined;
  private permittedRead: Promise<PermittedDivisions> | undefined;
  private chosen: Promise<ProbeDivisionResult> | undefined;
  private readonly totals = new Map<string, Promise<SearchTotal>>();
  private orgTotalsRead: Promise<OrgTotals> | undefined;

  constructor(readonly client: GenesysClient) {}

  /** Call options that count toward `tally` and this context; refused once the budget is spent. */
  call(tally: Tally): CallOptions {
    if (this.calls >= MAX_PROBE_CALLS) throw new ProbeBudgetSpent();
    return {
      onCall: () => {
        tally.calls++;
        this.calls++;
      },
    };
  }

  divisions(tally: Tally): Promise<AuthzDivision[]> {
    return (this.divisionsRead ??= settled(() => this.client.listDivisions(this.call(tally))));
  }

  permitted(tally: Tally): Promise<PermittedDivisions> {
    return (this.permittedRead ??= settled(() => divisionsWithPermission(this.client, DIRECTORY_USER_VIEW, this.call(tally))));
  }

  search(tally: Tally, query: UserSearchCriterion[], shape: { pageSize: number; sortById?: boolean }): Promise<UsersSearchResponse> {
    const body: UserSearchBody = { pageSize: shape.pageSize, pageNumber: 1, query, enforcePermissions: true, ...(shape.sortById ? { sort: [{ sortBy: "id", sortOrder: "ASC" }] } : {}) };
    return this.client.searchUsers(body, this.call(tally));
  }

  /** The total of a division's search in `states` (null: no state criterion), and its first result. */
  total(tally: Tally, divisionId: string, states: MemberStates | null): Promise<SearchTotal> {
    const key = `${divisionId} ${states?.join("+") ?? "default"}`;
    let read = this.totals.get(key);
    if (!read) {
      const query = [criteria.division(divisionId), ...(states ? [criteria.states(states)] : [])];
      read = settled(async () => {
        const r = await this.search(tally, query, { pageSize: 1 });
        return { total: r.total, first: r.results[0] };
      });
      this.totals.set(key, read);
    }
    return read;
  }

  /** Users of the whole org by state (GET /api/v2/users totals), undefined where Genesys gave none. */
  orgTotals(tally: Tally): Promise<OrgTotals> {
    const read = async (): Promise<OrgTotals> => {
      const [active, inactive] = await Promise.all([this.client.listUsersInState("active", 1, 1, this.call(tally)), this.client.listUsersInState("inactive", 1, 1, this.call(tally))]);
      return { active: active.total, inactive: inactive.total };
    };
    return (this.orgTotalsRead ??= settled(read));
  }

  /**
   * A division the client may read with a small nonzero user count, preferring one with inactive users (only
   * such a division can tell which states a search or a count covers).
   */
  probeDivision(tally: Tally): Promise<ProbeDivisionResult> {
    return (this.chosen ??= settled(() => this.choose(tally)));
  }

  private async choose(tally: Tally): Promise<ProbeDivisionResult> {
    let permitted: PermittedDivisions;
    try {
      permitted = await this.permitted(tally);
    } catch (e) {
      if (isAppError(e) && e.details?.capability === "permittedDivisions") return { ok: false, reason: "the client cannot tell which divisions it may read (see permittedDivisions)" };
      throw e;
    }
    const all = await this.divisions(tally);
    const allowed = new Set(permitted.divisions.map((d) => d.id));
    const candidates = all
      .filter((d) => (permitted.all || allowed.has(d.id)) && d.objectCounts?.USER !== 0)
      .sort((a, b) => rank(a) - rank(b) || (a.objectCounts?.USER ?? 0) - (b.objectCounts?.USER ?? 0) || a.name.localeCompare(b.name, "en"));
    if (candidates.length === 0) {
      return { ok: false, reason: allowed.size === 0 && !permitted.all ? "the client may read no division" : "every division the client may read is empty" };
    }
    let fallback: ProbeDivision | undefined;
    const tried = candidates.slice(0, MAX_CANDIDATES);
    for (const [i, d] of tried.entries()) {
      const inactive = await this.total(tally, d.id, ["inactive"]);
      const active = await this.total(tally, d.id, ["active"]);
      const division: ProbeDivision = {
        id: d.id,
        name: d.name,
        count: d.objectCounts?.USER ?? null,
        active: active.total,
        inactive: inactive.total,
        member: active.first ?? inactive.first,
        examined: i + 1,
      };
      if (division.inactive > 0) return { ok: true, division };
      if (division.active > 0) fallback ??= division;
    }
    if (fallback) return { ok: true, division: { ...fallback, examined: tried.length } };
    return { ok: false, reason: `search found no user in ${tried.map((d) => d.name).join(", ")}` };
  }
}

/** Small divisions that can still show an order first, then tiny ones, then those of unknown size. */
function rank(d: AuthzDivision): number {
  const count = d.objectCounts?.USER;
  if (count === undefined) return 2;
  return count >= MIN_USERS ? 0 : 1;
}

/** A shared read, started now; its failure is handled by whichever probe awaits it, never left unhandled. */
function settled<T>(run: () => Promise<T>): Promise<T> {
  const read = run();
  read.catch(() => undefined);
  return read;
}
