import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { getJson } from "./api";

// The access explorer's reads (admins only). Each answer is read live from Genesys by the BFF, so nothing
// is kept fresh for long here.

const seg = encodeURIComponent;

export function accessPeopleQueryOptions(q: string) {
  return queryOptions({
    queryKey: ["access", "people", q],
    queryFn: () => getJson(`/api/access/people?q=${seg(q)}`, (c) => c.accessPeopleSchema).then((r) => r.people),
    staleTime: 30_000,
  });
}

export function useAccessPeople(q: string) {
  return useQuery({ ...accessPeopleQueryOptions(q), enabled: q.length >= 2, placeholderData: keepPreviousData });
}

export function accessPersonQueryOptions(userId: string) {
  return queryOptions({ queryKey: ["access", "person", userId], queryFn: () => getJson(`/api/access/people/${seg(userId)}`, (c) => c.accessPersonDetailSchema), staleTime: 0 });
}

export function useAccessPerson(userId: string | null) {
  return useQuery({ ...accessPersonQueryOptions(userId ?? ""), enabled: userId !== null });
}

export function accessExplanationQueryOptions(userId: string, divisionId: string) {
  return queryOptions({
    queryKey: ["access", "explain", userId, divisionId],
    queryFn: () => getJson(`/api/access/people/${seg(userId)}/divisions/${seg(divisionId)}`, (c) => c.accessExplanationSchema),
    staleTime: 0,
  });
}

export function useAccessExplanation(userId: string | null, divisionId: string | null) {
  return useQuery({ ...accessExplanationQueryOptions(userId ?? "", divisionId ?? ""), enabled: userId !== null && divisionId !== null });
}

export function accessDivisionQueryOptions(divisionId: string) {
  return queryOptions({ queryKey: ["access", "division", divisionId], queryFn: () => getJson(`/api/access/divisions/${seg(divisionId)}`, (c) => c.accessDivisionViewersSchema), staleTime: 0 });
}

export function useAccessDivision(divisionId: string | null, enabled = true) {
  return useQuery({ ...accessDivisionQueryOptions(divisionId ?? ""), enabled: enabled && divisionId !== null });
}

export function accessReviewCsvHref(divisionId: string): string {
  return `/api/access/divisions/${seg(divisionId)}/viewers.csv`;
}

/**
 * The signed-in person's own Genesys user id, from the session endpoint: the refused page does not render it,
 * so that its bytes name nobody.
 */
export async function fetchOwnUserId(): Promise<string> {
  return (await getJson("/api/auth/session", (c) => c.sessionUserSchema)).user.id;
}
