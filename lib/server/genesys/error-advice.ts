import "server-only";

import type { AppError } from "@/lib/server/platform";

import { DIRECTORY_USER_VIEW } from "./permissions";

// Plain-language fixes for the failures an operator can do something about. Used by the export CLI and
// the admin diagnostics; managers get the shorter "ask your admin" wording from the UI instead.

const GRANT_PATH = "Admin > Integrations > OAuth > (Tenantscope's client) > Roles";

export function adviceFor(e: AppError): string[] {
  const d = e.details ?? {};
  const division = typeof d.divisionName === "string" ? d.divisionName : typeof d.divisionId === "string" ? d.divisionId : "the division";
  const steps: string[] = [];
  switch (e.code) {
    case "upstream_forbidden": {
      const permission = typeof d.permission === "string" ? d.permission : DIRECTORY_USER_VIEW;
      steps.push(
        `In Genesys Cloud open ${GRANT_PATH} and give the client a role that has ${describePermission(permission)} in division ${division}.`,
        "Role changes can take up to 5 minutes to apply; then try again.",
      );
      break;
    }
    case "upstream_unauthorized":
      steps.push(
        "Check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET: the OAuth client must exist, be active and use the Client Credentials grant.",
        "Check GENESYS_REGION (or GENESYS_GATEWAY_URL): credentials only work in the region where the client was created.",
      );
      break;
    case "not_found":
      steps.push(`No division ${division} exists in this Genesys Cloud org. Check the id (Admin > People & Permissions > Divisions).`);
      break;
    case "upstream_rate_limited":
      steps.push(
        `Genesys Cloud is rate-limiting the client${typeof d.retryAfterSeconds === "number" ? `; it asked us to wait ${d.retryAfterSeconds} s` : ""}.`,
        "If this keeps happening, lower GENESYS_REQUESTS_PER_MINUTE or GENESYS_CONCURRENCY, or check for other programs using the same OAuth client.",
      );
      break;
    case "upstream_timeout":
    case "upstream_unavailable":
      steps.push("Genesys Cloud did not answer properly. Check https://status.mypurecloud.com and the network path (proxy, firewall), then retry.");
      break;
    case "isolation_violation":
    case "incomplete_result":
      steps.push("The list failed a completeness or isolation check and was withheld. Retry in a few minutes; if it persists, report it with the correlation ids.");
      break;
    default:
      break;
  }
  if (typeof d.correlationId === "string") steps.push(`Genesys correlation id: ${d.correlationId} (quote it to Genesys support).`);
  return steps;
}

/** "directory:user:view" → "Directory > User > View (directory:user:view)", as the role editor shows it. */
export function describePermission(permission: string): string {
  const parts = permission.split(":").map((p) => (p === "*" ? "All" : p.charAt(0).toUpperCase() + p.slice(1)));
  return `${parts.join(" > ")} (${permission})`;
}
