import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/client/api";
import { divisionUsersQueryOptions, primeDivisionUsers, primeShellDivisionUsers, readStream, SHELL_MARKER, streamedUsers } from "@/lib/client/division-users";
import { getQueryClient } from "@/lib/client/query-client";
import * as contract from "@/lib/shared/contract";
import { encodeUsers, type DivisionUsersWire, type UserRow } from "@/lib/shared/contract";
import { EARLY_USERS_REQUESTS, EARLY_USERS_SCRIPT, type EarlyUsersResponse } from "@/lib/shared/contract/users-wire";

// The browser's reading of the NDJSON users stream: rows lines fill the table's store as they come, and the
// result line replaces them (a user streamed early who moved out since is not in it, so must not stay).

const DIVISION = "0dbfea33-22e6-4295-b232-27550f928017";

function row(id: string): UserRow {
  return { id, name: `User ${id}`, email: `${id}@example.test`, title: "Agent", department: "Care", state: "active" };
}

function result(users: UserRow[]): { type: "result" } & DivisionUsersWire {
  return {
    type: "result",
    division: { id: DIVISION, name: "Home", userCount: users.length },
    users: encodeUsers(users),
    meta: {
      fetchedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 10,
      searchPages: 1,
      upstreamCalls: 2,
      consistent: true,
      isolation: { checked: 3, verified: users.length, droppedCount: 1, addedFromDirectory: 0, objectCount: users.length, countMatches: true, mode: "verify" },
    },
    cache: { freshness: "loaded", revalidating: false, stale: false },
  };
}

/** A response body we feed line by line; `next` resolves once the reader has taken everything sent so far. */
function body() {
  let controller!: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>>;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    stream,
    send: (line: unknown) => controller.enqueue(encoder.encode(JSON.stringify(line) + "\n") as Uint8Array<ArrayBuffer>),
    close: () => controller.close(),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("readStream", () => {
  it("keeps the rows streamed so far, then returns the result, which replaces them", async () => {
    const b = body();
    const reading = readStream(DIVISION, b.stream, contract);
    b.send({ type: "progress", phase: "searching", pagesDone: 1, pagesTotal: 3, rows: 0, expected: 3 });
    b.send({ type: "rows", users: encodeUsers([row("a"), row("b")]), verified: 2, expected: 3 });
    b.send({ type: "rows", users: encodeUsers([row("c")]), verified: 3, expected: 3 });
    await settle();
    expect(streamedUsers(DIVISION)).toEqual({ users: [row("a"), row("b"), row("c")], verified: 3, expected: 3 });

    // "b" left the division before the fetch ended: the result does not have them.
    b.send(result([row("a"), row("c")]));
    const payload = await reading;
    expect(payload.users.map((u) => u.id)).toEqual(["a", "c"]);
    expect(streamedUsers(DIVISION)).toBeNull();
  });

  it("forgets the streamed rows when the fetch fails after them", async () => {
    const b = body();
    const reading = readStream(DIVISION, b.stream, contract);
    b.send({ type: "rows", users: encodeUsers([row("a")]), verified: 1, expected: 3 });
    await settle();
    expect(streamedUsers(DIVISION)?.users).toEqual([row("a")]);
    b.send({ type: "error", status: 504, error: { code: "upstream_timeout", message: "Genesys Cloud did not answer in time." } });
    await expect(reading).rejects.toBeInstanceOf(ApiError);
    expect(streamedUsers(DIVISION)).toBeNull();
  });
});

// The division page's first script starts the users request from the HTML; a warm division's JSON is read
// there as soon as it comes, and the shell puts it in the query cache before hydration (primeDivisionUsers).
describe("the early users request", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function warmJson(users: UserRow[], status = 200): Response {
    const { type: _type, ...wire } = result(users);
    return new Response(JSON.stringify(status === 200 ? wire : { error: { code: "internal", message: "Down." } }), {
      status,
      headers: { "Content-Type": "application/json", ...(status === 200 ? { ETag: '"v1.br"' } : {}) },
    });
  }

  function ndjson(...lines: unknown[]): Response {
    return new Response(lines.map((l) => `${JSON.stringify(l)}\n`).join(""), { headers: { "Content-Type": "application/x-ndjson" } });
  }

  /** Runs the page's first script on this division's address, its fetch answering with `answer`. */
  function startEarly(answer: () => Promise<Response>): () => Promise<EarlyUsersResponse | null> {
    const window: Record<string, unknown> = { location: { pathname: `/divisions/${DIVISION}` } };
    new Function("window", "location", "fetch", EARLY_USERS_SCRIPT)(window, window.location, answer);
    vi.stubGlobal("window", window);
    const pending = window[EARLY_USERS_REQUESTS] as Record<string, Promise<EarlyUsersResponse | null>>;
    return () => pending[DIVISION] ?? Promise.resolve(null);
  }

  /** The page's own requests after the early one, answered in order. */
  function serve(...responses: Response[]): RequestInit[] {
    const requests: RequestInit[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        requests.push(init);
        return responses.shift() ?? new Response(null, { status: 599 });
      }),
    );
    return requests;
  }

  // The app's own client (outside a browser, getQueryClient makes a new one each call): its retry policy.
  const key = divisionUsersQueryOptions(DIVISION).queryKey;

  it("reads a warm division's JSON at once, and leaves a stream or a refusal unread for the page", async () => {
    const warm = await startEarly(async () => warmJson([row("a")]))();
    expect(warm?.response.bodyUsed).toBe(true);
    expect(await warm?.json).toMatchObject({ division: { id: DIVISION }, users: encodeUsers([row("a")]) });

    const stream = await startEarly(async () => ndjson({ type: "progress", phase: "starting", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null }))();
    expect([stream?.json, stream?.response.bodyUsed]).toEqual([null, false]);

    const refused = await startEarly(async () => Response.json({ error: { code: "forbidden", message: "No." } }, { status: 403 }))();
    expect([refused?.json, refused?.response.bodyUsed]).toEqual([null, false]);

    expect(await startEarly(() => Promise.reject(new TypeError("offline")))()).toBeNull();
  });

  it("puts a warm division in the query cache before the view asks; a later read revalidates it with its ETag", async () => {
    startEarly(async () => warmJson([row("a"), row("b")]));
    const requests = serve(new Response(null, { status: 304 }));
    const client = getQueryClient();
    primeDivisionUsers(client, DIVISION);
    await vi.waitFor(() => expect(client.getQueryData(key)).toBeDefined());
    const primed = client.getQueryData(key);
    expect(primed?.users.map((u) => u.id)).toEqual(["a", "b"]);
    // The view finds it fresh: no request.
    expect(await client.fetchQuery(divisionUsersQueryOptions(DIVISION))).toBe(primed);
    expect(requests).toHaveLength(0);
    // Once stale, the page asks again (not the early request, taken once), "unchanged?", and keeps its copy.
    expect(await client.fetchQuery({ ...divisionUsersQueryOptions(DIVISION), staleTime: 0 })).toBe(primed);
    expect(new Headers(requests[0]?.headers).get("if-none-match")).toBe('"v1.br"');
  });

  it("hands the read under way to a view that asks first: a cold division's rows stream into the table meanwhile", async () => {
    let answer!: (r: Response) => void;
    startEarly(() => new Promise<Response>((resolve) => (answer = resolve)));
    const requests = serve();
    const client = getQueryClient();
    primeDivisionUsers(client, DIVISION);
    const viewing = client.fetchQuery(divisionUsersQueryOptions(DIVISION));
    const b = body();
    answer(new Response(b.stream, { headers: { "Content-Type": "application/x-ndjson" } }));
    b.send({ type: "rows", users: encodeUsers([row("c"), row("d")]), verified: 2, expected: 2 });
    await vi.waitFor(() => expect(streamedUsers(DIVISION)?.users.map((u) => u.id)).toEqual(["c", "d"]));
    b.send(result([row("c"), row("d")]));
    expect((await viewing).users.map((u) => u.id)).toEqual(["c", "d"]);
    expect(requests).toHaveLength(0);
  });

  it("leaves a failure to the view's query, which retries it with a request of its own as the app's policy says", async () => {
    startEarly(async () => warmJson([], 500));
    const requests = serve(warmJson([row("e")]));
    const client = getQueryClient();
    primeDivisionUsers(client, DIVISION);
    await settle();
    expect(client.getQueryData(key)).toBeUndefined();
    expect((await client.fetchQuery(divisionUsersQueryOptions(DIVISION))).users.map((u) => u.id)).toEqual(["e"]);
    expect(requests).toHaveLength(1);

    // A cold fetch that ends in an error line: the same, the streamed rows forgotten.
    startEarly(async () => ndjson({ type: "rows", users: encodeUsers([row("f")]), verified: 1, expected: 2 }, { type: "error", status: 403, error: { code: "forbidden", message: "No longer yours." } }));
    const refusedClient = getQueryClient();
    primeDivisionUsers(refusedClient, DIVISION);
    await settle();
    expect(refusedClient.getQueryData(key)).toBeUndefined();
    const e = await refusedClient.fetchQuery(divisionUsersQueryOptions(DIVISION)).catch((err: unknown) => err);
    expect(e instanceof ApiError && [e.status, e.code]).toEqual([403, "forbidden"]);
    expect(streamedUsers(DIVISION)).toBeNull();
    expect(requests).toHaveLength(1); // a 403 is not retried
  });

  it("primes only in the prerendered shell's own document, which carries its marker", async () => {
    const early = startEarly(async () => warmJson([row("g")]));
    const pending = (window as unknown as Record<string, Record<string, unknown>>)[EARLY_USERS_REQUESTS] ?? {};
    // The page rendered per request, or another page's document while the shell's code loads for a move.
    vi.stubGlobal("document", { querySelector: () => null });
    primeShellDivisionUsers(getQueryClient());
    expect(pending[DIVISION]).toBeDefined(); // untaken: left for the hydrated view's query
    expect(await early()).not.toBeNull();

    vi.stubGlobal("document", { querySelector: (selector: string) => (selector === `[${SHELL_MARKER}]` ? {} : null) });
    const client = getQueryClient();
    primeShellDivisionUsers(client);
    expect(pending[DIVISION]).toBeUndefined();
    await vi.waitFor(() => expect(client.getQueryData(key)?.users.map((u) => u.id)).toEqual(["g"]));
  });
});
