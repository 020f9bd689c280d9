// The realism knobs that change user search (emulator/knobs.ts, emulator/search-knobs.ts), over real HTTP:
// sortById, startsWithId and exactCaseSensitive. searchTypeLimits is in knobs-limits.test.ts.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { groundTruth, idsOf, type SearchPage } from "../support/genesys-test-clients";
import { byDivision, errorBodyOf, getSearch, knobEnv, postSearch, searchPage, setKnobs, sorted } from "./knob-helpers";

const { acme: ACME, globex: GLOBEX } = DEMO.divisions;
const env = knobEnv();

// The emulator sorts as an analysed index field would (numeric collation); ties break by plain id order.
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
const inIdOrder = (xs: readonly string[]): string[] => [...xs].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : 1));

const byId = (extra: Record<string, unknown> = {}) => byDivision(GLOBEX, { sortBy: "id", sortOrder: "ASC", ...extra });
const ids = (page: SearchPage): string[] => (page.results ?? []).map((u) => u.id);

/** Every page of a search, each fetched with its own request. */
async function allPages(body: Record<string, unknown>): Promise<SearchPage[]> {
  const pages = [await searchPage(env.url, env.token, body)];
  for (let n = 2; n <= (pages[0]?.pageCount ?? 0); n++) pages.push(await searchPage(env.url, env.token, { ...body, pageNumber: n }));
  return pages;
}

describe("sortById", () => {
  it("ok (default): a sort by id is served in id order, over POST and GET q64, so paging is stable", async () => {
    const truth = inIdOrder(await groundTruth(env.url, GLOBEX));
    const pages = await allPages(byId());
    expect(idsOf(pages)).toEqual(truth);
    const desc = await searchPage(env.url, env.token, byDivision(GLOBEX, { sort: [{ sortBy: "id", sortOrder: "DESC" }] }));
    expect(ids(desc)).toEqual([...truth].reverse().slice(0, 100));
    const viaGet = await getSearch(env.url, env.token, byId());
    expect(viaGet.status).toBe(200);
    expect(ids(JSON.parse(viaGet.text) as SearchPage)).toEqual(truth.slice(0, 100));
  });

  it("reject: a sort naming id is a Genesys-shaped 400 over POST and GET q64; other sorts still work", async () => {
    await setKnobs(env.url, { sortById: "reject" });
    const requests = [
      () => postSearch(env.url, env.token, byId()),
      () => postSearch(env.url, env.token, byDivision(GLOBEX, { sort: [{ sortBy: "name" }, { sortBy: "id", sortOrder: "DESC" }] })),
      () => getSearch(env.url, env.token, byId({ pageNumber: 2 })),
    ];
    for (const request of requests) {
      const res = await request();
      expect(res.status).toBe(400);
      const body = errorBodyOf(res);
      expect(body).toMatchObject({ status: 400, code: "bad.request", message: "Invalid sort field [id]", messageParams: { field: "id" } });
      expect(body.details).toEqual([]);
      expect(body.errors).toEqual([]);
    }
    const byName = await postSearch(env.url, env.token, byDivision(GLOBEX, { sortBy: "name" }));
    expect(byName.status).toBe(200);
  });

  it("ignore: the sort by id is ignored; every request sees another arbitrary order, so paging by number is unstable", async () => {
    await setKnobs(env.url, { sortById: "ignore" });
    const truth = await groundTruth(env.url, GLOBEX);
    const first = await searchPage(env.url, env.token, byId());
    const again = await searchPage(env.url, env.token, byId());
    expect(first.total).toBe(truth.length);
    expect(ids(first)).toHaveLength(100);
    expect(ids(first)).not.toEqual(ids(again));
    expect(ids(first)).not.toEqual(inIdOrder(ids(first)));

    // Paging the whole division: pages are cut from different orders, so users repeat and others are missed.
    const collected = idsOf(await allPages(byId()));
    expect(collected).toHaveLength(truth.length);
    expect(new Set(collected).size).toBeLessThan(truth.length);
    expect(collected.every((id) => truth.includes(id))).toBe(true);

    // One page that holds the whole result: the set is right, only the order is arbitrary.
    const acmeTruth = await groundTruth(env.url, ACME);
    const acme = await searchPage(env.url, env.token, byDivision(ACME, { sortBy: "id" }));
    expect(sorted(ids(acme))).toEqual(acmeTruth);
    expect(ids(acme)).not.toEqual(inIdOrder(acmeTruth));

    // Other sort keys still apply; only the id key is ignored.
    const named = await searchPage(env.url, env.token, byDivision(GLOBEX, { sort: [{ sortBy: "name" }, { sortBy: "id" }] }));
    const names = (named.results ?? []).map((u) => u.name);
    expect(names).toEqual([...names].sort(collator.compare));
  });
});

describe("startsWithId", () => {
  const prefixSearch = (prefix: string, extra: Record<string, unknown> = {}) => ({
    pageSize: 100,
    query: [{ type: "STARTS_WITH", fields: ["id"], values: [prefix] }],
    ...extra,
  });

  it("ok (default): a STARTS_WITH criterion on id finds the users whose id has that prefix", async () => {
    const [target] = await groundTruth(env.url, ACME);
    if (!target) throw new Error("Acme has no users");
    const page = await searchPage(env.url, env.token, prefixSearch(target.slice(0, 8)));
    expect(ids(page)).toContain(target);
    expect(ids(page).every((id) => id.startsWith(target.slice(0, 8)))).toBe(true);
  });

  it("reject: a STARTS_WITH criterion on id, even inside a group, is a Genesys-shaped 400", async () => {
    await setKnobs(env.url, { startsWithId: "reject" });
    const grouped = {
      pageSize: 10,
      query: [{ type: "EXACT", operator: "OR", group: [{ type: "STARTS_WITH", fields: ["name", "id"], values: ["ab"] }, { type: "EXACT", fields: ["divisionId"], values: [ACME] }] }],
    };
    for (const body of [prefixSearch("0"), grouped]) {
      const res = await postSearch(env.url, env.token, body);
      expect(res.status).toBe(400);
      expect(errorBodyOf(res)).toMatchObject({
        status: 400,
        code: "bad.request",
        message: "Invalid search type [STARTS_WITH] for field [id]",
        messageParams: { type: "STARTS_WITH", field: "id" },
      });
    }
    expect((await getSearch(env.url, env.token, prefixSearch("0"))).status).toBe(400);
    // STARTS_WITH on other fields, and EXACT on id, are unaffected.
    const byName = await postSearch(env.url, env.token, { pageSize: 10, query: [{ type: "STARTS_WITH", fields: ["name"], values: ["a"] }] });
    expect(byName.status).toBe(200);
    const [target] = await groundTruth(env.url, ACME);
    expect(ids(await searchPage(env.url, env.token, { query: [{ type: "EXACT", fields: ["id"], values: [target] }] }))).toEqual([target]);
  });

  it("empty: a STARTS_WITH criterion on id matches nothing (200, total 0)", async () => {
    await setKnobs(env.url, { startsWithId: "empty" });
    const [target] = await groundTruth(env.url, ACME);
    const page = await searchPage(env.url, env.token, prefixSearch((target ?? "").slice(0, 8)));
    expect(page).toMatchObject({ total: 0, pageCount: 0 });
    expect(page.results).toEqual([]);
    const byName = await searchPage(env.url, env.token, { pageSize: 10, query: [{ type: "STARTS_WITH", fields: ["name"], values: ["a"] }] });
    expect(byName.total).toBeGreaterThan(0);
  });
});

describe("exactCaseSensitive", () => {
  it("off (default): EXACT folds case, so an upper-case division id finds the division", async () => {
    const truth = await groundTruth(env.url, ACME);
    expect((await searchPage(env.url, env.token, byDivision(ACME.toUpperCase()))).total).toBe(truth.length);
    const page = await searchPage(env.url, env.token, byDivision(ACME));
    const user = page.results?.[0];
    const byName = await searchPage(env.url, env.token, { query: [{ type: "EXACT", fields: ["name"], values: [user?.name.toUpperCase()] }] });
    expect(ids(byName)).toContain(user?.id);
  });

  it("on: EXACT compares as stored; an upper-case division id matches nothing, the stored value still does", async () => {
    await setKnobs(env.url, { exactCaseSensitive: true });
    const truth = await groundTruth(env.url, ACME);
    const upper = await searchPage(env.url, env.token, byDivision(ACME.toUpperCase()));
    expect(upper).toMatchObject({ total: 0, results: [] });
    expect(sorted(ids(await searchPage(env.url, env.token, byDivision(ACME))))).toEqual(truth);

    const user = (await searchPage(env.url, env.token, byDivision(ACME))).results?.find((u) => u.name.toUpperCase() !== u.name);
    const exactName = await searchPage(env.url, env.token, { query: [{ type: "EXACT", fields: ["name"], values: [user?.name] }] });
    expect(ids(exactName)).toContain(user?.id);
    const upperName = await searchPage(env.url, env.token, { query: [{ type: "EXACT", fields: ["name"], values: [user?.name.toUpperCase()] }] });
    expect(ids(upperName)).not.toContain(user?.id);
    // Only EXACT is affected: CONTAINS still folds case.
    const contains = await searchPage(env.url, env.token, { query: [{ type: "CONTAINS", fields: ["divisionId"], values: [ACME.toUpperCase()] }] });
    expect(contains.total).toBe(truth.length);
  });
});
