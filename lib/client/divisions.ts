import { queryOptions, useQuery } from "@tanstack/react-query";

import { divisionsListSchema } from "@/lib/shared/contract";

import { getJson } from "./api";

export function divisionsQueryOptions() {
  return queryOptions({
    queryKey: ["divisions"],
    queryFn: () => getJson("/api/divisions", divisionsListSchema).then((r) => r.divisions),
  });
}

export function useDivisions() {
  return useQuery(divisionsQueryOptions());
}
