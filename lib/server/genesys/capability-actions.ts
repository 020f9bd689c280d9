import "server-only";

import type { CapabilityAnswers, CapabilityKey, CapabilityValue } from "./capability-types";

// What Tenantscope does about each answer, in one sentence for an operator (doctor, diagnostics). The
// division fetch (divisions/) is where these are carried out; keep the two in step.

const UNORDERED = "de-duplicates, checks that the pages add up to the total, and re-reads when they do not.";
const NO_PARTITION = "Tenantscope cannot split a large division by id prefix: a division of 10,000 users or more is read from the live directory (GET /api/v2/users) instead of by search.";
const STATES_NAMED = "Tenantscope names the states it wants (active, inactive) in every search, so this default changes nothing.";
const ROLES_FALLBACK = "Tenantscope works out the divisions it may read from its own roles (GET /api/v2/tokens/me and each role's permissions); that needs authorization:role:view.";
const LIMITS = "Tenantscope uses STARTS_WITH only to split divisions of 10,000 users or more and paces those searches at 200 a minute, uses no CONTAINS, and waits as Retry-After asks on a 429.";

type Actions = { readonly [K in CapabilityKey]: Readonly<Record<`${CapabilityAnswers[K]}` | "unknown", string>> };

const ACTIONS: Actions = {
  sortById: {
    ok: "Tenantscope sorts its division searches by id, so the pages of a listing neither overlap nor skip users.",
    reject: `Tenantscope sends no sort and pages without relying on order: it ${UNORDERED}`,
    ignore: `Tenantscope pages without relying on order: it ${UNORDERED}`,
    unknown: `Tenantscope does not rely on the order: it ${UNORDERED}`,
  },
  startsWithId: {
    ok: "Tenantscope splits a division of 10,000 users or more into id-prefix partitions, each within the search window.",
    reject: NO_PARTITION,
    empty: NO_PARTITION,
    unknown: NO_PARTITION,
  },
  defaultSearchStates: { "active+inactive": STATES_NAMED, active: STATES_NAMED, unknown: STATES_NAMED },
  objectCountStates: {
    "active+inactive": "Tenantscope checks each division's list of active and inactive users against this count.",
    active: "Tenantscope checks each division's active users against this count (inactive users are not in it).",
    all: "The count includes deleted users, so Tenantscope treats it as an upper bound on the list, not as the number the list must reach.",
    unknown: "Tenantscope treats the count as an upper bound on the list, not as the number the list must reach.",
  },
  listWindow: {
    windowed: "Tenantscope never pages GET /api/v2/users past 10,000 in a state other than active: it reads inactive users by search.",
    unlimited: "Nothing to change: Tenantscope reads only active users through GET /api/v2/users and inactive ones by search.",
    unknown: "Tenantscope never pages GET /api/v2/users past 10,000 in a state other than active: it reads inactive users by search.",
  },
  exactCaseSensitive: {
    true: "Tenantscope sends division ids in lower case, exactly as Genesys lists them.",
    false: "Nothing to change: Tenantscope sends division ids in lower case, as Genesys lists them.",
    unknown: "Tenantscope sends division ids in lower case, as Genesys lists them, which matches either way.",
  },
  permittedDivisions: {
    ok: "Tenantscope asks Genesys directly which divisions it may read (divisionspermitted).",
    "user-only": ROLES_FALLBACK,
    unknown:
      "Tenantscope asks Genesys which divisions it may read and, if Genesys refuses the client's token, works them out from its own roles (GET /api/v2/tokens/me and each role's permissions); that needs authorization:role:view.",
  },
  searchTypeLimits: { assumed: LIMITS, unknown: LIMITS },
};

export function actionFor<K extends CapabilityKey>(key: K, value: CapabilityValue<K>): string {
  const actions: Readonly<Record<string, string>> = ACTIONS[key];
  return actions[String(value)] ?? actions.unknown ?? "";
}
