import { queryOptions, useQuery } from "@tanstack/react-query";

import { getJson } from "./api";

export function divisionsQueryOptions() {
  return queryOptions({
    queryKey: ["divisions"],
    queryFn: () => getJson("/api/divisions", (c) => c.divisionsListSchema).then((r) => r.divisions),
  });
}

export function useDivisions() {
  return useQuery(divisionsQueryOptions());
}
