import { queryOptions, useQuery } from "@tanstack/react-query";

import type { DivisionSummary } from "@/lib/shared/api-types";

import { getJson } from "./api";

export function divisionsQueryOptions() {
  return queryOptions({
    queryKey: ["divisions"],
    queryFn: () => getJson<{ divisions: DivisionSummary[] }>("/api/divisions").then((r) => r.divisions),
  });
}

export function useDivisions() {
  return useQuery(divisionsQueryOptions());
}
