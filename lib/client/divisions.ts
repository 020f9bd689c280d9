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

/** One division's name and counts, and that the caller may view it (a refusal is an ApiError: 403 or 404). */
export function divisionDetailQueryOptions(divisionId: string) {
  return queryOptions({
    queryKey: ["division", divisionId],
    queryFn: () => getJson(`/api/divisions/${encodeURIComponent(divisionId)}`, (c) => c.divisionDetailSchema),
  });
}

/** The signed-in person (read again after the default minute: another tab may have signed in someone else). */
export function currentStaffQueryOptions() {
  return queryOptions({
    queryKey: ["me"],
    queryFn: () => getJson("/api/me", (c) => c.currentStaffSchema),
  });
}
