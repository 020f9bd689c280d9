import { useMutation } from "@tanstack/react-query";

import { getJson } from "./api";

/** Recomputes the audit trail's hash chain on the server (admins only). */
export function useAuditIntegrityCheck() {
  return useMutation({ mutationFn: () => getJson("/api/audit/integrity", (c) => c.auditIntegritySchema) });
}
