import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";

import { divisionUsersPayloadSchema, usersStreamLineSchema, type DivisionUsersPayload, type FetchProgress, type UsersStreamLine } from "@/lib/shared/contract";

import { ApiError, parseBody, readError, unreadableResponse } from "./api";

// A division's users: plain JSON when the BFF has them cached; over NDJSON while a cold fetch runs (progress
// lines, kept in a small store the progress bar subscribes to, then the result line). Either becomes the
// query's data.

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

/** The ETag each payload came with, so that the next read can ask "has it changed?" and get a 304. */
const etags = new WeakMap<DivisionUsersPayload, string>();

export interface FetchUsersOptions {
  refresh?: boolean;
  signal?: AbortSignal;
  /** The payload the page already holds: sent as If-None-Match, returned as is on 304. */
  current?: DivisionUsersPayload | undefined;
}

/**
 * A division's users. A warm division answers plain JSON (compressed, with an ETag: the copy held is
 * revalidated, 304 without a body); a division that must be fetched answers NDJSON, progress lines first.
 */
export async function fetchDivisionUsers(divisionId: string, options: FetchUsersOptions = {}): Promise<DivisionUsersPayload> {
  const url = `/api/divisions/${encodeURIComponent(divisionId)}/users`;
  const etag = options.current && !options.refresh ? etags.get(options.current) : undefined;
  // A forced refetch changes server state, so it is a POST (same origin only); reading is a GET.
  const res = await fetch(url, {
    method: options.refresh ? "POST" : "GET",
    headers: { Accept: "application/x-ndjson, application/json", ...(etag ? { "If-None-Match": etag } : {}) },
    credentials: "same-origin",
    // Tenant data is never stored by the browser (the server says no-store); revalidation is done here.
    cache: "no-store",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (res.status === 304 && options.current) return options.current;
  if (!res.ok || !res.body) throw await readError(res);
  if (!(res.headers.get("content-type") ?? "").startsWith("application/x-ndjson")) {
    const payload = parseBody(divisionUsersPayloadSchema, await res.json().catch(() => null));
    const tag = res.headers.get("etag");
    if (tag) etags.set(payload, tag);
    return payload;
  }
  return readStream(divisionId, res.body);
}

async function readStream(divisionId: string, body: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<DivisionUsersPayload> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
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
  const queryKey = ["division-users", divisionId] as const;
  return queryOptions({
    queryKey,
    queryFn: ({ signal, client }) => fetchDivisionUsers(divisionId, { signal, current: client.getQueryData<DivisionUsersPayload>(queryKey) }),
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
