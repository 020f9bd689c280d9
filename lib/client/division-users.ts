import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";

import { usersStreamLineSchema, type DivisionUsersPayload, type FetchProgress, type UsersStreamLine } from "@/lib/shared/contract";

import { ApiError, parseBody, readError, unreadableResponse } from "./api";

// A division's users over the BFF's NDJSON variant: progress lines while a cold fetch runs (kept in a
// small store the progress bar subscribes to), then the result line, which becomes the query's data.

const progress = new Map<string, FetchProgress | null>();
const listeners = new Set<() => void>();

function setProgress(divisionId: string, p: FetchProgress | null): void {
  progress.set(divisionId, p);
  for (const l of listeners) l();
}

export function useFetchProgress(divisionId: string): FetchProgress | null {
  return useSyncExternalStore(
    useCallback((l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }, []),
    () => progress.get(divisionId) ?? null,
    () => null,
  );
}

/** One NDJSON line, checked against the contract; a line that is not JSON is unreadable too. */
function parseLine(text: string): UsersStreamLine {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw unreadableResponse();
  }
  return parseBody(usersStreamLineSchema, data);
}

export async function fetchDivisionUsers(divisionId: string, options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<DivisionUsersPayload> {
  const url = `/api/divisions/${encodeURIComponent(divisionId)}/users`;
  // A forced refetch changes server state, so it is a POST (same origin only); reading is a GET.
  const res = await fetch(url, {
    method: options.refresh ? "POST" : "GET",
    headers: { Accept: "application/x-ndjson" },
    credentials: "same-origin",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.ok || !res.body) throw await readError(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = parseLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (line.type === "progress") {
          const { type: _type, ...p } = line;
          setProgress(divisionId, p);
        } else if (line.type === "error") throw new ApiError(line.status, line.error);
        else {
          const { type: _type, ...payload } = line;
          return payload;
        }
      }
      if (done) throw new ApiError(502, { code: "upstream_bad_response", message: "The server ended the response early." });
    }
  } finally {
    setProgress(divisionId, null);
    reader.releaseLock();
  }
}

export function divisionUsersQueryOptions(divisionId: string) {
  return queryOptions({
    queryKey: ["division-users", divisionId],
    queryFn: ({ signal }) => fetchDivisionUsers(divisionId, { signal }),
    // The server already caches and revalidates; refetching on every mount would only add load.
    staleTime: 60_000,
  });
}

export function useDivisionUsers(divisionId: string) {
  return useQuery(divisionUsersQueryOptions(divisionId));
}

/** A forced refresh (rate-limited by the server), written straight into the query cache. */
export function useRefreshDivision(divisionId: string) {
  const client = useQueryClient();
  return useCallback(async () => {
    const data = await fetchDivisionUsers(divisionId, { refresh: true });
    client.setQueryData(divisionUsersQueryOptions(divisionId).queryKey, data);
    return data;
  }, [client, divisionId]);
}
