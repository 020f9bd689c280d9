import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import { diagnosticsSchema, divisionTestSchema } from "@/lib/shared/contract";

import { getJson } from "./api";

export function diagnosticsQueryOptions() {
  return queryOptions({
    queryKey: ["diagnostics"],
    queryFn: () => getJson("/api/diagnostics", diagnosticsSchema),
    staleTime: 0,
  });
}

export function useDiagnostics() {
  return useQuery(diagnosticsQueryOptions());
}

export function useTestDivision() {
  return useMutation({
    mutationFn: (divisionId: string) => getJson(`/api/diagnostics/divisions/${encodeURIComponent(divisionId)}/test`, divisionTestSchema, { method: "POST" }),
  });
}
