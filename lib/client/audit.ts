import { useMutation } from "@tanstack/react-query";

import type { AuditIntegrity } from "@/lib/shared/api-types";

import { getJson } from "./api";

/** Recomputes the audit trail's hash chain on the server (admins only). */
export function useAuditIntegrityCheck() {
  return useMutation({ mutationFn: () => getJson<AuditIntegrity>("/api/audit/integrity") });
}
