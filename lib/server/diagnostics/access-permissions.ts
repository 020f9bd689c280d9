import "server-only";

import { describePermission, divisionsWithPermission, GRANT_VIEW, ROLE_VIEW, type GenesysClient } from "@/lib/server/genesys";
import type { AccessPermissionRow, Check } from "@/lib/shared/contract";

// The permissions the access explorer (/access) needs of Tenantscope's own client, beyond directory:user:view.
// Missing ones do not break /access (it says what to add there too); diagnostics names them up front.

const NEEDED: readonly { permission: string; purpose: string }[] = [
  { permission: GRANT_VIEW, purpose: "read a person's roles and divisions (why can't this person see that tenant?)" },
  { permission: ROLE_VIEW, purpose: "read which roles grant Directory > User > View and who holds them (who can see this tenant?)" },
];

export async function accessExplorerCheck(client: GenesysClient): Promise<Check<AccessPermissionRow[]>> {
  const rows: AccessPermissionRow[] = await Promise.all(
    NEEDED.map(async ({ permission, purpose }) => {
      try {
        const held = await divisionsWithPermission(client, permission);
        return { permission, purpose, held: held.all || held.divisions.length > 0 };
      } catch {
        // Whether it is held cannot be told (the roles fallback itself needs authorization:role:view).
        return { permission, purpose, held: false };
      }
    }),
  );
  const missing = rows.filter((r) => !r.held);
  if (missing.length === 0) return { ok: true, value: rows };
  return {
    ok: false,
    value: rows,
    failure: {
      code: "upstream_forbidden",
      message: `The access explorer needs ${missing.map((m) => m.permission).join(" and ")}, which Tenantscope's client lacks: /access will say so instead of answering.`,
      fix: [
        `In Genesys Cloud open Admin > Integrations > OAuth > (Tenantscope's client) > Roles and give the client a role with ${missing.map((m) => describePermission(m.permission)).join(" and ")} (any division, for example Home).`,
        "Role changes can take up to 5 minutes to apply; then run the diagnostics again.",
      ],
    },
  };
}
