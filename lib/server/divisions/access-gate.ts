import "server-only";

import { DIRECTORY_USER_VIEW } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import { requireStaff, type StaffAccess } from "@/lib/server/staff";

import { brand, type AuthorizedDivision } from "./authorized";
import type { DirectoryDivision } from "./directory";
import { assertDivisionId } from "./fetch";
import { getDivisionService } from "./service";

// The one gate between a person and a division's data, used by every page, route and export. Decisions come
// from the division directory and the staff member's Genesys grants, before any user of the division is
// fetched. Order: malformed id (400) → no session (401) → not theirs (403) → unknown division (404, only for
// those who may see every division) → the BFF itself cannot reach it (403, with what an admin must fix).
//
// A manager must not learn which ids exist: a division they may not see and one that does not exist are
// refused alike — same status, same body, no name — and the decision is made from their grants alone,
// before the directory is consulted.

/** The codes this gate refuses with (a "no"), as against a failure to decide (say, Genesys did not answer). */
const REFUSAL_CODES: ReadonlySet<string> = new Set(["bad_request", "not_found", "forbidden", "upstream_forbidden"]);

/** Whether an error's code is one of the gate's refusals. By code, not class: the proxy's bundle has its own AppError. */
export function isAccessRefusal(code: unknown): boolean {
  return typeof code === "string" && REFUSAL_CODES.has(code);
}

function staffMayView(staff: StaffAccess, divisionId: string): boolean {
  if (staff.isAdmin) return true;
  return staff.divisionIds === "all" || staff.divisionIds.has(divisionId);
}

/** The one refusal for a division outside the caller's grants, whether or not it exists: the same bytes for every id. */
function notTheirs(): AppError {
  return new AppError("forbidden", "You do not have access to this division, or it does not exist.", { details: { reason: "not_granted" } });
}

function unreachable(division: DirectoryDivision, forAdmin: boolean): AppError {
  return new AppError(
    "upstream_forbidden",
    forAdmin
      ? `Tenantscope's Genesys Cloud client lacks the permission ${DIRECTORY_USER_VIEW} in division "${division.name}".`
      : `${division.name} cannot be shown right now: Tenantscope is not set up for it yet. Please ask your administrator.`,
    {
      details: {
        divisionId: division.id,
        divisionName: division.name,
        permission: DIRECTORY_USER_VIEW,
        reason: "bff_not_granted",
        ...(forAdmin && division.permissionCorrelationId ? { correlationId: division.permissionCorrelationId } : {}),
      },
    },
  );
}

async function findDivision(divisionId: string): Promise<DirectoryDivision> {
  const division = await getDivisionService().directory.find(divisionId);
  if (!division) throw new AppError("not_found", "There is no division with this id.", { details: { divisionId } });
  return division;
}

export async function requireDivisionAccess(staff: StaffAccess | null, divisionId: string): Promise<AuthorizedDivision> {
  assertDivisionId(divisionId);
  const who = requireStaff(staff);
  // Genesys ids are lower-case hex; a link may carry them in upper case.
  const id = divisionId.toLowerCase();
  if (!staffMayView(who, id)) throw notTheirs();
  const division = await findDivision(id);
  if (!division.reachable) throw unreachable(division, who.isAdmin);
  return brand(division);
}

/**
 * The divisions the caller may open: managers their granted ones, admins all of them. Each carries
 * `reachable`, so that a division the BFF's client cannot list shows up as a problem to fix, not as absent.
 */
export async function visibleDivisions(staff: StaffAccess | null): Promise<DirectoryDivision[]> {
  const who = requireStaff(staff);
  const { divisions } = await getDivisionService().directory.get();
  return [...divisions.values()].filter((d) => staffMayView(who, d.id)).sort((a, b) => a.name.localeCompare(b.name, "en"));
}

/**
 * The operator paths: people who hold the BFF's own credentials rather than a staff session. No staff
 * grants apply to them; the isolation checks of the fetch itself still do.
 */
export const operatorAccess = {
  /** `npm run export`: a division by id or exact name, which must exist and be reachable by the BFF. */
  async forExport(idOrName: string): Promise<AuthorizedDivision> {
    const { divisions } = await getDivisionService().directory.get();
    const byId = divisions.get(idOrName.toLowerCase());
    const byName = [...divisions.values()].filter((d) => d.name === idOrName);
    if (!byId && byName.length > 1) {
      throw new AppError("bad_request", `More than one division is named "${idOrName}"; pass its id instead: ${byName.map((d) => d.id).join(", ")}`);
    }
    const division = byId ?? byName[0];
    if (!division) {
      const names = [...divisions.values()].map((d) => d.name).sort();
      throw new AppError("not_found", `No division has the id or name "${idOrName}". Divisions: ${names.join(", ")}`);
    }
    if (!division.reachable) throw unreachable(division, true);
    return brand(division);
  },

  /**
   * Admin diagnostics (the caller passed the admin check): the real scoped fetch runs even where the
   * directory says the BFF lacks the grant, so the admin sees Genesys' own answer and its correlation id.
   */
  forDiagnostics(divisionId: string): AuthorizedDivision {
    assertDivisionId(divisionId);
    // Lower case, as the fetch reads it: an upper-case id shares the same cache entry and load.
    return brand({ id: divisionId.toLowerCase(), name: "", description: "", homeDivision: false, userCount: null, reachable: true });
  },
};
