import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import type { Diagnostics, DivisionTest } from "@/lib/shared/api-types";

import { getJson } from "./api";

export function diagnosticsQueryOptions() {
  return queryOptions({
    queryKey: ["diagnostics"],
    queryFn: () => getJson<Diagnostics>("/api/diagnostics"),
    staleTime: 0,
  });
}

export function useDiagnostics() {
  return useQuery(diagnosticsQueryOptions());
}

export function useTestDivision() {
  return useMutation({
    mutationFn: (divisionId: string) => getJson<DivisionTest>(`/api/diagnostics/divisions/${encodeURIComponent(divisionId)}/test`, { method: "POST" }),
  });
}
