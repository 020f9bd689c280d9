import "server-only";

import { isAppError } from "@/lib/server/platform";

import { criteria, MEMBERS, type ProbeContext, type ProbeDivision, type Tally } from "./capability-context";
import type { CapabilityKey, CapabilityValue } from "./capability-types";
import { UpstreamError } from "./upstream-error";

// One probe per capability: a few read-only calls whose answers tell the org's variant apart. A 400 that a
// variant is known to give is an answer, not a failure; anything else unexpected propagates (probeAll turns
// it into "unknown"). Each finding says, in one sentence each, what was tested and what Genesys answered.

export interface Finding<K extends CapabilityKey> {
  value: CapabilityValue<K>;
  tested: string;
  answered: string;
}

export type Probe<K extends CapabilityKey> = (ctx: ProbeContext, tally: Tally) => Promise<Finding<K>>;

const SORT_PAGE = 25;

const numberFormat = new Intl.NumberFormat("en");
const n = (value: number) => numberFormat.format(value);

function badRequest(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError && e.status === 400;
}

function refusal(e: UpstreamError): string {
  return `HTTP 400${e.genesysCode ? ` ${e.genesysCode}` : ""}: "${e.message}"`;
}

/** Runs `probe` on the probe division, or answers "unknown" when there is none to probe. */
async function onDivision<K extends CapabilityKey>(ctx: ProbeContext, tally: Tally, tested: (d: ProbeDivision | undefined) => string, probe: (d: ProbeDivision, tested: string) => Promise<Finding<K>>): Promise<Finding<K>> {
  const chosen = await ctx.probeDivision(tally);
  if (!chosen.ok) return { value: "unknown", tested: tested(undefined), answered: `Not tested: ${chosen.reason}.` };
  return probe(chosen.division, tested(chosen.division));
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Genesys' id order may be a collation rather than code-unit order (the emulator's is numeric-aware); either
// is an order Tenantscope can page by.
const collation = new Intl.Collator("en", { sensitivity: "base", numeric: true });

function ascending(ids: readonly string[]): boolean {
  const by = (cmp: (a: string, b: string) => number) => ids.every((id, i) => i === 0 || cmp(ids[i - 1] ?? "", id) <= 0);
  return by(byCodeUnit) || by((a, b) => collation.compare(a, b));
}

const sortById: Probe<"sortById"> = (ctx, tally) =>
  onDivision(
    ctx,
    tally,
    (d) => `Searched ${d ? `division ${d.name}` : "one division"} twice for its active and inactive users, sorted by id ascending (${SORT_PAGE} a page), and compared the two pages.`,
    async (d, tested) => {
      const query = [criteria.division(d.id), criteria.states(MEMBERS)];
      const read = async () => (await ctx.search(tally, query, { pageSize: SORT_PAGE, sortById: true })).results.map((u) => u.id);
      let first: string[];
      try {
        first = await read();
      } catch (e) {
        if (badRequest(e)) return { value: "reject", tested, answered: `Genesys refused the sort (${refusal(e)}).` };
        throw e;
      }
      if (first.length < 3) return { value: "unknown", tested, answered: `The search returned ${first.length} users, too few to show an order.` };
      const second = await read();
      const sorted = ascending(first) && ascending(second);
      const same = first.join() === second.join();
      if (sorted && same) return { value: "ok", tested, answered: `Genesys returned the same ${first.length} users in ascending id order both times.` };
      const what = [sorted ? "" : "out of id order", same ? "" : "in a different order the second time"].filter(Boolean).join(" and ");
      return { value: "ignore", tested, answered: `Genesys accepted the sort but returned the users ${what}.` };
    },
  );

const startsWithId: Probe<"startsWithId"> = (ctx, tally) =>
  onDivision(
    ctx,
    tally,
    (d) =>
      d?.member
        ? `Searched division ${d.name} for ids starting with "${d.member.id.charAt(0)}" (STARTS_WITH on id), the first character of a user known to be there.`
        : "Searched one division for ids starting with the first character of a user known to be there (STARTS_WITH on id).",
    async (d, tested) => {
      if (!d.member) return { value: "unknown", tested, answered: "Not tested: the division search returned no user to take a prefix from." };
      const prefix = d.member.id.charAt(0);
      try {
        const r = await ctx.search(tally, [criteria.division(d.id), criteria.states(MEMBERS), criteria.idPrefix(prefix)], { pageSize: 1 });
        if (r.total === 0) return { value: "empty", tested, answered: "Genesys accepted the criterion but found no user, not even the one the prefix was taken from." };
        return { value: "ok", tested, answered: `Genesys found ${n(r.total)} users whose ids start with "${prefix}".` };
      } catch (e) {
        if (badRequest(e)) return { value: "reject", tested, answered: `Genesys refused STARTS_WITH on id (${refusal(e)}).` };
        throw e;
      }
    },
  );

const defaultSearchStates: Probe<"defaultSearchStates"> = (ctx, tally) =>
  onDivision(
    ctx,
    tally,
    (d) => `Compared the totals of ${d ? `division ${d.name}` : "one division"}'s search without a state criterion, with state active and with state inactive.`,
    async (d, tested) => {
      if (d.inactive === 0) return { value: "unknown", tested, answered: `None of the ${d.examined} divisions examined has inactive users, so the totals cannot tell.` };
      const none = (await ctx.total(tally, d.id, null)).total;
      const counts = `${n(none)} users without a state criterion, ${n(d.active)} active, ${n(d.inactive)} inactive`;
      if (none === d.active + d.inactive) return { value: "active+inactive", tested, answered: `Genesys counted ${counts}: the default covers active and inactive users.` };
      if (none === d.active) return { value: "active", tested, answered: `Genesys counted ${counts}: the default leaves inactive users out.` };
      return { value: "unknown", tested, answered: `Genesys counted ${counts}, which matches neither variant.` };
    },
  );

const objectCountStates: Probe<"objectCountStates"> = (ctx, tally) =>
  onDivision(
    ctx,
    tally,
    (d) => `Compared ${d ? `division ${d.name}` : "a division"}'s user count (objectCounts.USER) with the active and inactive users search finds there and, where that cannot tell, all divisions' counts with the org's users (GET /api/v2/users).`,
    async (d, tested) => {
      const { count, active, inactive } = d;
      if (count === null) return { value: "unknown", tested, answered: "Genesys gave no user count for the division." };
      const here = `The division's count is ${n(count)}, against ${n(active)} active and ${n(inactive)} inactive users`;
      if (count > active + inactive) return { value: "all", tested, answered: `${here}: it counts deleted users too.` };
      if (inactive > 0 && count === active) return { value: "active", tested, answered: `${here}: it counts active users only.` };
      const sum = (await ctx.divisions(tally)).reduce<number | null>((s, x) => (s === null || x.objectCounts?.USER === undefined ? null : s + x.objectCounts.USER), 0);
      const org = await ctx.orgTotals(tally);
      if (sum !== null && org.active !== undefined && org.inactive !== undefined) {
        const there = `${here}; all divisions' counts add up to ${n(sum)}, against the org's ${n(org.active)} active and ${n(org.inactive)} inactive users`;
        if (sum > org.active + org.inactive) return { value: "all", tested, answered: `${there}: the counts include deleted users.` };
        if (org.inactive > 0 && sum === org.active + org.inactive) return { value: "active+inactive", tested, answered: `${there}: the counts cover active and inactive users.` };
        if (org.inactive > 0 && sum === org.active) return { value: "active", tested, answered: `${there}: the counts cover active users only.` };
      }
      if (inactive > 0 && count === active + inactive) return { value: "active+inactive", tested, answered: `${here}: it counts both (deleted users could not be ruled out).` };
      return { value: "unknown", tested, answered: `${here}, which matches no variant.` };
    },
  );

const listWindow: Probe<"listWindow"> = async (ctx, tally) => {
  const tested = "Asked GET /api/v2/users (state any) for page 101 of 100 users, past the first 10,000.";
  try {
    const page = await ctx.client.listUsersInState("any", 101, 100, ctx.call(tally));
    if (page.entities.length > 0) return { value: "unlimited", tested, answered: `Genesys returned ${page.entities.length} users from beyond the first 10,000.` };
    return {
      value: "windowed",
      tested,
      answered: `Genesys returned an empty page: the org has ${page.total === undefined ? "too few" : `only ${n(page.total)}`} users to tell, so Tenantscope assumes the 10,000-user window.`,
    };
  } catch (e) {
    if (badRequest(e)) return { value: "windowed", tested, answered: `Genesys refused (${refusal(e)}): listings stop at 10,000 users.` };
    throw e;
  }
};

const exactCaseSensitive: Probe<"exactCaseSensitive"> = (ctx, tally) =>
  onDivision(
    ctx,
    tally,
    (d) => `Searched ${d ? `division ${d.name}` : "one division"} by its id in upper case (EXACT on divisionId) and compared with the lower-case id.`,
    async (d, tested) => {
      const lower = d.active + d.inactive;
      const upper = d.id.toUpperCase();
      if (lower === 0 || upper === d.id) return { value: "unknown", tested, answered: "Not tested: the division has no users to find, or its id no letters to change." };
      try {
        const found = (await ctx.search(tally, [criteria.division(upper), criteria.states(MEMBERS)], { pageSize: 1 })).total;
        if (found === 0) return { value: true, tested, answered: `The upper-case id found no user, the lower-case one ${n(lower)}: EXACT matching is case-sensitive.` };
        if (found === lower) return { value: false, tested, answered: `The upper-case id found the same ${n(lower)} users: EXACT matching ignores case.` };
        return { value: "unknown", tested, answered: `The upper-case id found ${n(found)} users, the lower-case one ${n(lower)}.` };
      } catch (e) {
        if (badRequest(e)) return { value: true, tested, answered: `Genesys refused the upper-case id (${refusal(e)}); the lower-case one finds ${n(lower)} users.` };
        throw e;
      }
    },
  );

const permittedDivisions: Probe<"permittedDivisions"> = async (ctx, tally) => {
  const tested = "Asked GET /api/v2/authorization/divisionspermitted/paged/me where the client holds directory:user:view.";
  try {
    const p = await ctx.permitted(tally);
    const where = p.all ? "every division" : `${p.divisions.length} division${p.divisions.length === 1 ? "" : "s"}`;
    if (p.source === "roles") return { value: "user-only", tested, answered: `Genesys answers only for a user's token; the client's own roles grant directory:user:view in ${where}.` };
    return { value: "ok", tested, answered: `Genesys answered for the client's own token: ${where}.` };
  } catch (e) {
    if (isAppError(e) && e.details?.capability === "permittedDivisions") {
      return { value: "user-only", tested, answered: "Genesys answers only for a user's token, and the client may not read its own roles either (it lacks authorization:role:view): Tenantscope cannot tell which divisions it may read." };
    }
    throw e;
  }
};

const searchTypeLimits: Probe<"searchTypeLimits"> = () =>
  Promise.resolve({
    value: "assumed",
    tested: "Not probed: measuring the limits would take 240 searches.",
    answered: "Assumed, as reported for Genesys Cloud: per token and minute at most 240 STARTS_WITH, 100 CONTAINS and 4,000 EXACT searches, then HTTP 429 with Retry-After.",
  });

export const PROBES: { readonly [K in CapabilityKey]: Probe<K> } = {
  sortById,
  startsWithId,
  defaultSearchStates,
  objectCountStates,
  listWindow,
  exactCaseSensitive,
  permittedDivisions,
  searchTypeLimits,
};
