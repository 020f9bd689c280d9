import "server-only";

import { AppError } from "@/lib/server/platform";

import type { CallOptions, GenesysClient } from "./client";
import { describePermission } from "./error-advice";
import { UpstreamError } from "./upstream-error";

// Which divisions an identity holds a permission in. GET /api/v2/authorization/divisionspermitted/paged/me
// answers that directly, but some orgs answer it only for a user's token ("requires a user context"); for
// the BFF's client-credentials token the answer is then worked out from the client's own grants: its
// roles by division (GET /api/v2/tokens/me) and each role's permissions.

export const ROLE_VIEW = "authorization:role:view";

export interface PermittedDivisions {
  /** Every division, present and future (Genesys' allDivsPermitted, or a role granted in "*"). */
  all: boolean;
  divisions: { id: string; name?: string }[];
  /** Of Genesys' divisionspermitted answer (admins quote it to support); none from the roles fallback. */
  correlationId?: string;
  source: "divisionspermitted" | "roles";
}

/** A refusal of divisionspermitted because the token is not a user's (the "user-only" org variant). */
export function isUserContextRefusal(e: unknown): e is UpstreamError {
  if (!(e instanceof UpstreamError) || ![400, 401, 403].includes(e.status)) return false;
  return /user context/i.test(e.message) || e.genesysCode === "not.a.user";
}

/** Whether a role's permissions include `permission`; each part may be a `*` wildcard ("directory:*:*"). */
export function roleGrants(role: { permissions: readonly string[] }, permission: string): boolean {
  const want = permission.split(":");
  return role.permissions.some((p) => {
    const have = p.split(":");
    return have.length === want.length && have.every((part, i) => part === "*" || part === want[i]);
  });
}

export async function divisionsWithPermission(client: GenesysClient, permission: string, opts: CallOptions = {}): Promise<PermittedDivisions> {
  try {
    const answer = await client.divisionsPermitted(permission, opts);
    return { all: answer.all, divisions: answer.divisions.map((d) => ({ id: d.id, name: d.name })), ...(answer.correlationId ? { correlationId: answer.correlationId } : {}), source: "divisionspermitted" };
  } catch (e) {
    if (!isUserContextRefusal(e)) throw e;
    return fromOwnRoles(client, permission, opts);
  }
}

function fallbackRefused(permission: string, cause: UpstreamError | undefined): AppError {
  return new AppError(
    "upstream_forbidden",
    `Genesys Cloud answers "which divisions may I read" only for a user's token (capability permittedDivisions: user-only), and Tenantscope's client may not read its own roles to work it out instead: give it a role with ${describePermission(ROLE_VIEW)} so that it can tell where it holds ${permission}.`,
    {
      details: { permission: ROLE_VIEW, capability: "permittedDivisions", ...(cause?.correlationId ? { correlationId: cause.correlationId } : {}), ...(cause && cause.status > 0 ? { upstreamStatus: cause.status } : {}) },
      ...(cause ? { cause } : {}),
    },
  );
}

/**
 * The fix for that refusal, in place of adviceFor's (which would name a division, while the role permission
 * is what matters); undefined for any other error.
 */
export function capabilityAdvice(e: AppError): string[] | undefined {
  if (e.details?.capability !== "permittedDivisions") return undefined;
  const correlationId = e.details.correlationId;
  return [
    `In Genesys Cloud open Admin > Integrations > OAuth > (Tenantscope's client) > Roles and give the client a role with ${describePermission(ROLE_VIEW)}, or add that permission to a role it already has.`,
    "Role changes can take up to 5 minutes to apply; then try again.",
    ...(typeof correlationId === "string" ? [`Genesys correlation id: ${correlationId} (quote it to Genesys support).`] : []),
  ];
}

async function fromOwnRoles(client: GenesysClient, permission: string, opts: CallOptions): Promise<PermittedDivisions> {
  const info = await client.getTokenInfo(opts);
  const grants = info.OAuthClient?.roleDivisions;
  if (grants === undefined) throw fallbackRefused(permission, undefined);
  const roleIds = [...new Set(grants.map((g) => g.roleId))];
  const holding = new Set<string>();
  await Promise.all(
    roleIds.map(async (roleId) => {
      try {
        if (roleGrants(await client.getRole(roleId, opts), permission)) holding.add(roleId);
      } catch (e) {
        // A role deleted since the grant was made grants nothing; a refusal means the fallback cannot work.
        if (e instanceof UpstreamError && e.status === 404) return;
        if (e instanceof UpstreamError && (e.status === 403 || e.status === 401)) throw fallbackRefused(permission, e);
        throw e;
      }
    }),
  );
  const granted = grants.filter((g) => holding.has(g.roleId));
  const all = granted.some((g) => g.divisionId === "*");
  const ids = [...new Set(granted.map((g) => g.divisionId).filter((id) => id !== "*"))];
  return { all, divisions: ids.map((id) => ({ id })), source: "roles" };
}
