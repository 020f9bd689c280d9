// The users routes end to end: JSON payloads against the emulator's ground truth, role-shaped isolation
// metadata, the leak fault, NDJSON progress on a cold 12,000-user division, the CSV export, and
// single-flight loading under a burst of concurrent cold requests.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { divisionUsersPayloadSchema, type DivisionUsersPayload, type UserRow } from "@/lib/shared/contract";
import { applyView, foldText, parseView } from "@/lib/shared/user-view";
import { parseBody, parseUsersStream } from "@/test/support/bff-bodies";
import { signIn, type CookieJar } from "@/test/support/http-session";
import {
  errorCode,
  foreignUsersIn,
  loadGroundTruth,
  memberIds,
  operationCount,
  parseCsv,
  send,
  sendText,
  startHttpStack,
  VISIBLE,
  type GroundTruth,
  type Stack,
} from "@/test/support/http-stack";

const { acme: ACME, globex: GLOBEX, umbrella: UMBRELLA } = DEMO.divisions;
const CSV_HEADER = ["id", "name", "email", "username", "title", "department", "state", "divisionId", "divisionName"] as const;
const FETCH_OPERATIONS = ["postUsersSearch", "getUsers"] as const;
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** What a spreadsheet-safe export makes of a cell (OWASP CSV injection: a leading ' disarms a formula). */
function neutralised(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function ids(users: readonly { id: string }[]): Set<string> {
  return new Set(users.map((u) => u.id));
}

interface CsvExport {
  status: number;
  headers: Headers;
  header: string[];
  rows: Record<(typeof CSV_HEADER)[number], string>[];
  text: string;
}

describe("users routes", () => {
  describe("JSON, leak fault, CSV and single flight", () => {
    let stack: Stack;
    let app: string;
    let truth: GroundTruth;
    let ana: CookieJar;
    let admin: CookieJar;

    beforeAll(async () => {
      stack = await startHttpStack(3204, { FORCE_REFRESH_MIN_INTERVAL_SECONDS: "0" });
      app = stack.appUrl;
      truth = await loadGroundTruth(stack);
      [ana, admin] = await Promise.all([signIn(app, DEMO.staff.ana.email), signIn(app, DEMO.staff.admin.email)]).then((s) => s.map((x) => x.jar));
    });

    afterAll(async () => {
      await stack?.stop();
    });

    /** The users route: a read (GET), or with `refresh` the forced refetch (POST). */
    async function usersOf(divisionId: string, jar: CookieJar, refresh: "refresh" | "" = ""): Promise<{ payload: DivisionUsersPayload; text: string }> {
      const res = await sendText(`${app}/api/divisions/${divisionId}/users`, { jar, method: refresh ? "POST" : "GET" });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      return { payload: parseBody(divisionUsersPayloadSchema, res.text), text: res.text };
    }

    async function csvOf(divisionId: string, jar: CookieJar, query = ""): Promise<CsvExport> {
      const res = await send(`${app}/api/divisions/${divisionId}/users.csv${query}`, { jar });
      // Decoded by hand: Response.text() would swallow the byte order mark.
      const text = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(await res.arrayBuffer());
      expect(res.status, text.slice(0, 300)).toBe(200);
      const [header = [], ...records] = parseCsv(text);
      for (const r of records) expect(r).toHaveLength(CSV_HEADER.length);
      const rows = records.map((r) => Object.fromEntries(CSV_HEADER.map((c, i) => [c, r[i] ?? ""])) as CsvExport["rows"][number]);
      return { status: res.status, headers: res.headers, header, rows, text };
    }

    test("a manager's payload is exactly the division's users, with a dropped count but no dropped list", async () => {
      const { payload, text } = await usersOf(ACME, ana);
      expect(ids(payload.users)).toEqual(truth.members.get(ACME));
      expect(payload.users).toHaveLength(truth.members.get(ACME)?.size ?? -1);
      expect(payload.division).toMatchObject({ id: ACME, name: "Acme Insurance" });
      expect(payload.meta.isolation.droppedCount).toBe(0);
      expect(payload.meta.isolation).not.toHaveProperty("dropped");
      expect(payload.meta).not.toHaveProperty("consistencyNotes");
      expect(foreignUsersIn(text, VISIBLE.ana, truth)).toEqual([]);

      const adminView = await usersOf(ACME, admin);
      expect(adminView.payload.meta.isolation.dropped).toEqual([]);
    });

    test("an upper-case form of a permitted division id works: ids are case-insensitive", async () => {
      const { payload } = await usersOf(ACME.toUpperCase(), ana);
      expect(payload.division.id).toBe(ACME);
      expect(ids(payload.users)).toEqual(truth.members.get(ACME));
    });

    test("with the emulator leaking other divisions' users into searches, none reaches JSON or CSV; the admin sees what was dropped", async () => {
      stack.emulator.setFaults({ leak: true });
      try {
        const { payload, text } = await usersOf(ACME, ana, "refresh");
        expect(payload.cache.freshness).toBe("loaded");
        expect(ids(payload.users)).toEqual(truth.members.get(ACME));
        const dropped = payload.meta.isolation.droppedCount;
        expect(dropped).toBeGreaterThan(0);
        expect(payload.meta.isolation).not.toHaveProperty("dropped");
        expect(foreignUsersIn(text, VISIBLE.ana, truth)).toEqual([]);

        const csv = await csvOf(ACME, ana);
        expect(new Set(csv.rows.map((r) => r.id))).toEqual(truth.members.get(ACME));
        expect(foreignUsersIn(csv.text, VISIBLE.ana, truth)).toEqual([]);

        const adminView = await usersOf(ACME, admin, "refresh");
        expect(ids(adminView.payload.users)).toEqual(truth.members.get(ACME));
        const list = adminView.payload.meta.isolation.dropped ?? [];
        expect(list).toHaveLength(adminView.payload.meta.isolation.droppedCount);
        expect(list.length).toBe(dropped);
        for (const row of list) {
          // Real users of another division, named to the admin only.
          const home = truth.divisionOf.get(row.id);
          expect(home, row.id).toBeDefined();
          expect(home).not.toBe(ACME);
          expect(typeof row.reason).toBe("string");
        }
        expect(foreignUsersIn(adminView.text, VISIBLE.admin, truth)).toEqual([]);
      } finally {
        stack.emulator.setFaults({ leak: false });
      }
    });

    test("the CSV export: RFC 4180, header row, every user, cells equal to the JSON, formulas disarmed", async () => {
      const { payload } = await usersOf(ACME, ana);
      const csv = await csvOf(ACME, ana);
      expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(csv.text.startsWith("\uFEFF")).toBe(true);
      expect(csv.header).toEqual([...CSV_HEADER]);
      const date = payload.meta.fetchedAt.slice(0, 10);
      const disposition = csv.headers.get("content-disposition") ?? "";
      expect(disposition).toBe(`attachment; filename="acme-insurance-users-${date}.csv"; filename*=UTF-8''acme-insurance-users-${date}.csv`);
      expect(csv.headers.get("x-row-count")).toBe(String(truth.members.get(ACME)?.size));

      // Unfiltered, the rows are the JSON's users sorted by name; every cell matches, neutralised.
      const byId = new Map(payload.users.map((u) => [u.id, u]));
      expect(csv.rows.map((r) => r.id)).toEqual(applyView(payload.users, { q: "", state: "any", sort: "name", desc: false }).map((u) => u.id));
      for (const row of csv.rows) {
        const user = byId.get(row.id) as UserRow;
        for (const c of ["id", "name", "email", "title", "department", "state"] as const) expect(row[c], `${row.id}.${c}`).toBe(neutralised(user[c]));
        expect([row.divisionId, row.divisionName]).toEqual([payload.division.id, neutralised(payload.division.name)]);
        for (const c of CSV_HEADER) expect(row[c], `${row.id}.${c}`).not.toMatch(/^[=+\-@\t\r]/);
      }

      const [equals, plus, minus, at] = DEMO.csvUsers.acme.map((id) => csv.rows.find((r) => r.id === id));
      expect(equals?.name).toBe(`'=HYPERLINK("http://evil.example","x")`);
      expect(plus?.name).toBe("'+Plus Person");
      expect(minus?.name).toBe("'-Minus Person");
      expect(at?.name).toBe("'@At Person");
      // The quote-bearing formula really was quoted on the wire (RFC 4180 doubles inner quotes).
      expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    });

    test("a filtered, sorted export holds exactly the rows of that view", async () => {
      const { payload } = await usersOf(ACME, ana);

      const search = await csvOf(ACME, ana, "?q=person&sort=-name");
      const view = parseView(new URLSearchParams("q=person&sort=-name"));
      if (!view.ok) throw new Error(view.message);
      const expected = applyView(payload.users, view.view).map((u) => u.id);
      expect(search.rows.map((r) => r.id)).toEqual(expected);
      // And independently of the shared view code: every row matches, the three "… Person" users are in, names descend.
      for (const r of search.rows) expect(foldText(`${r.name} ${r.email} ${r.title} ${r.department}`)).toContain("person");
      for (const id of DEMO.csvUsers.acme.slice(1)) expect(search.rows.map((r) => r.id)).toContain(id);
      const names = search.rows.map((r) => byName(payload.users, r.id));
      for (let i = 1; i < names.length; i++) expect(collator.compare(names[i - 1] ?? "", names[i] ?? "")).toBeGreaterThanOrEqual(0);
      expect(search.headers.get("content-disposition")).toMatch(/filename="acme-insurance-users-filtered-\d{4}-\d{2}-\d{2}\.csv"/);
      expect(search.headers.get("x-row-count")).toBe(String(search.rows.length));

      const inactive = await csvOf(ACME, ana, "?state=inactive");
      const inactiveIds = await memberIds(stack.emulator.url, ACME, "inactive");
      expect(inactiveIds.length).toBeGreaterThan(0);
      expect(new Set(inactive.rows.map((r) => r.id))).toEqual(new Set(inactiveIds));
      expect(inactive.rows.every((r) => r.state === "inactive")).toBe(true);
      expect(inactive.rows.map((r) => r.id)).toEqual(applyView(payload.users, { q: "", state: "inactive", sort: "name", desc: false }).map((u) => u.id));
      expect(inactive.headers.get("content-disposition")).toMatch(/filename="acme-insurance-users-filtered-/);

      const none = await csvOf(ACME, ana, "?q=no-such-person-anywhere");
      expect(none.rows).toEqual([]);
      expect(none.header).toEqual([...CSV_HEADER]);
    });

    test("50 concurrent cold requests for one division cost the upstream calls of one fetch", async () => {
      const before = operationCount(stack, FETCH_OPERATIONS);
      const searchesBefore = operationCount(stack, ["postUsersSearch"]);
      const burst = await Promise.all(Array.from({ length: 50 }, () => usersOf(GLOBEX, admin)));
      const burstCalls = operationCount(stack, FETCH_OPERATIONS) - before;
      const burstSearches = operationCount(stack, ["postUsersSearch"]) - searchesBefore;
      for (const { payload } of burst) expect(ids(payload.users)).toEqual(truth.members.get(GLOBEX));
      const fetchedAt = new Set(burst.map((b) => b.payload.meta.fetchedAt));
      expect(fetchedAt.size, "every caller got the one fetch's result").toBe(1);
      expect(burstSearches).toBe(burst[0]?.payload.meta.searchPages);

      const beforeSingle = operationCount(stack, FETCH_OPERATIONS);
      const single = await usersOf(GLOBEX, admin, "refresh");
      expect(single.payload.cache.freshness).toBe("loaded");
      const singleCalls = operationCount(stack, FETCH_OPERATIONS) - beforeSingle;
      expect(singleCalls).toBeGreaterThan(0);
      expect(burstCalls).toBe(singleCalls);
    });
  });

  describe("NDJSON on a cold 12,000-user division", () => {
    let stack: Stack;
    let app: string;
    let admin: CookieJar;

    beforeAll(async () => {
      // A stack of its own: the fetch takes ~250 upstream calls, most of a minute's budget for one client.
      stack = await startHttpStack(3205);
      app = stack.appUrl;
      admin = (await signIn(app, DEMO.staff.admin.email)).jar;
    });

    afterAll(async () => {
      await stack?.stop();
    });

    test("progress lines with non-decreasing pagesDone and rows lines, then one result line with every user", async () => {
      const truthIds = new Set(await memberIds(stack.emulator.url, UMBRELLA));
      expect(truthIds.size).toBeGreaterThanOrEqual(12_000);

      const res = await sendText(`${app}/api/divisions/${UMBRELLA}/users`, { jar: admin, headers: { accept: "application/x-ndjson" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-ndjson");
      const lines = parseUsersStream(res.text);
      const progress = lines.slice(0, -1).flatMap((l) => (l.type === "progress" ? [l] : []));
      const rows = lines.slice(0, -1).flatMap((l) => (l.type === "rows" ? [l] : []));
      const last = lines.at(-1);

      expect(progress.length).toBeGreaterThanOrEqual(2);
      // Confirmed rows stream in beside the progress (test/http/streamed-rows.test.ts checks what they hold).
      expect(rows.length).toBeGreaterThan(0);
      expect(progress.length + rows.length).toBe(lines.length - 1);
      const pages = progress.map((l) => l.pagesDone);
      for (let i = 1; i < pages.length; i++) expect(pages[i], `line ${i}`).toBeGreaterThanOrEqual(pages[i - 1] ?? 0);
      expect(pages.at(-1)).toBeGreaterThan(0);

      if (last?.type !== "result") throw new Error(`the last line is ${JSON.stringify(last).slice(0, 300)}, not the result`);
      expect(last.users.length).toBe(truthIds.size);
      expect(ids(last.users)).toEqual(truthIds);
      expect(last.meta.isolation.droppedCount).toBe(0);

      // Warm: the result at once as plain JSON, no progress.
      const warm = await sendText(`${app}/api/divisions/${UMBRELLA}/users`, { jar: admin, headers: { accept: "application/x-ndjson" } });
      expect(warm.headers.get("content-type")).toMatch(/^application\/json/);
      expect(parseBody(divisionUsersPayloadSchema, warm.text).users).toHaveLength(truthIds.size);
    });

    test("a fetch that fails before its first progress line answers with its real status, not 200 and an error line", async () => {
      // Last in this stack: failing calls open the circuit breaker for the app's Genesys client.
      stack.emulator.setFaults({ p5xx: 1 });
      try {
        const res = await sendText(`${app}/api/divisions/${GLOBEX}/users`, { method: "POST", jar: admin, headers: { accept: "application/x-ndjson" } });
        expect(res.status, res.text.slice(0, 300)).toBe(502);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(errorCode(res.text)).toBe("upstream_unavailable");
      } finally {
        stack.emulator.setFaults({ p5xx: 0 });
      }
    });
  });
});

function byName(users: readonly UserRow[], id: string): string {
  return users.find((u) => u.id === id)?.name ?? "";
}
