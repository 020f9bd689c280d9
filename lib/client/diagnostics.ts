import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import { getJson } from "./api";

export function diagnosticsQueryOptions() {
  return queryOptions({
    queryKey: ["diagnostics"],
    queryFn: () => getJson("/api/diagnostics", (c) => c.diagnosticsSchema),
    staleTime: 0,
  });
}

export function useDiagnostics() {
  return useQuery(diagnosticsQueryOptions());
}

export function useTestDivision() {
  return useMutation({
    mutationFn: (divisionId: string) => getJson(`/api/diagnostics/divisions/${encodeURIComponent(divisionId)}/test`, (c) => c.divisionTestSchema, { method: "POST" }),
  });
}
