import "server-only";

import { DIRECTORY_USER_VIEW, describePermission, roleGrants, toAppError, UpstreamError, type Role } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import type { AccessBlocked } from "@/lib/shared/contract";

// What the access explorer's answers share: which of the org's roles grant directory:user:view, and turning
// "Tenantscope's client may not read this" (a 403 from Genesys) into what to add instead of a failure.

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Genesys user ids are UUIDs: anything else is refused (400) before Genesys is asked. */
export function assertUserId(userId: string): string {
  if (!USER_ID.test(userId)) throw new AppError("bad_request", "The user id is not a valid Genesys Cloud id.", { details: { field: "userId" } });
  return userId.toLowerCase();
}

export const VIEW_LABEL = "Directory > User > View";

/** A missing permission of Tenantscope's own client, said as what to add. */
export function blockedBy(permission: string, purpose: string, correlationId?: string): AccessBlocked {
  return {
    permission,
    message: `Tenantscope's Genesys Cloud client lacks ${describePermission(permission)}, which it needs to ${purpose}.`,
    fix: [
      `In Genesys Cloud open Admin > Integrations > OAuth > (Tenantscope's client) > Roles and give the client a role with ${describePermission(permission)} (in any division, for example Home), or add that permission to a role it already has.`,
      "Role changes can take up to 5 minutes to apply; then reload this page.",
    ],
    ...(correlationId ? { correlationId } : {}),
  };
}

/** The blocked answer for a refusal of Tenantscope's client; anything else is rethrown as an AppError. */
export function blockedOrThrow(e: unknown, permission: string, purpose: string): AccessBlocked {
  if (e instanceof UpstreamError && e.status === 403) return blockedBy(permission, purpose, e.correlationId);
  throw toAppError(e);
}

export function viewerRoles(roles: readonly Role[]): Role[] {
  return roles.filter((r) => roleGrants(r, DIRECTORY_USER_VIEW));
}

/** The role to suggest to someone who holds none: the one granting directory:user:view with the fewest other permissions. */
export function smallestViewerRole(roles: readonly Role[]): Role | undefined {
  return [...viewerRoles(roles)].sort((a, b) => a.permissions.length - b.permissions.length || a.name.localeCompare(b.name, "en"))[0];
}

/** A grant in every division: Genesys' "*" (and a grant without a division, read the same way). */
export function isAllDivisions(divisionId: string | undefined): boolean {
  return divisionId === undefined || divisionId === "*";
}
