import "server-only";

import { assertDivisionId } from "./fetch";
import type { DirectoryDivision } from "./directory";
import { getDivisionService } from "./service";
import { AppError } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";

// The one gate between a signed-in person and a division's data, used by every page, route and export.
// Decisions are made from the division directory and the staff member's Genesys grants, before any user
// of the division is fetched. Order: malformed id (400) → no session (401) → unknown division (404) →
// not theirs (403) → the BFF itself cannot reach it (403, with what an admin must fix).

declare const authorized: unique symbol;

/** A division the caller passed `requireDivisionAccess` for; data functions accept nothing else. */
export type AuthorizedDivision = DirectoryDivision & { readonly [authorized]: true };

export function requireStaff(staff: StaffAccess | null): StaffAccess {
  if (!staff) throw new AppError("unauthenticated", "Please sign in.");
  return staff;
}

export function requireAdmin(staff: StaffAccess | null, purpose = "use diagnostics"): StaffAccess {
  const who = requireStaff(staff);
  if (!who.isAdmin) throw new AppError("forbidden", `Only administrators may ${purpose}.`);
  return who;
}

function staffMayView(staff: StaffAccess, division: DirectoryDivision): boolean {
  if (staff.isAdmin) return true;
  return staff.divisionIds === "all" || staff.divisionIds.has(division.id);
}

export async function requireDivisionAccess(staff: StaffAccess | null, divisionId: string): Promise<AuthorizedDivision> {
  assertDivisionId(divisionId);
  const who = requireStaff(staff);
  const division = await getDivisionService().directory.find(divisionId);
  if (!division) throw new AppError("not_found", "There is no division with this id.", { details: { divisionId } });
  if (!staffMayView(who, division)) {
    throw new AppError("forbidden", `You do not have access to ${division.name}.`, {
      details: { divisionId, divisionName: division.name, reason: "not_granted" },
    });
  }
  if (!division.reachable) {
    throw new AppError(
      "upstream_forbidden",
      who.isAdmin
        ? `Tenantscope's Genesys Cloud client lacks the permission directory:user:view in division "${division.name}".`
        : `${division.name} cannot be shown right now: Tenantscope is not set up for it yet. Please ask your administrator.`,
      {
        details: {
          divisionId,
          divisionName: division.name,
          permission: "directory:user:view",
          reason: "bff_not_granted",
          ...(who.isAdmin && division.permissionCorrelationId ? { correlationId: division.permissionCorrelationId } : {}),
        },
      },
    );
  }
  return division as AuthorizedDivision;
}

/**
 * The divisions the caller may open: managers their granted ones, admins all of them. Each carries
 * `reachable`, so that a division the BFF's client cannot list shows up as a problem to fix, not as absent.
 */
export async function visibleDivisions(staff: StaffAccess | null): Promise<{ division: DirectoryDivision; reachable: boolean }[]> {
  const who = requireStaff(staff);
  const { divisions } = await getDivisionService().directory.get();
  return [...divisions.values()]
    .filter((d) => staffMayView(who, d))
    .map((division) => ({ division, reachable: division.reachable }))
    .sort((a, b) => a.division.name.localeCompare(b.division.name, "en"));
}
