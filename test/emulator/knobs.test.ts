// The realism knobs (emulator/knobs.ts) and the seed's deleted users, over real HTTP: each knob's default and each
// variant, set with PUT /__emulator/faults. Search knobs are in knobs-search.test.ts, the CLI flags in knobs-cli.test.ts.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { userToken } from "../support/emulator-client";
import { apiJson, apiRequest, control, groundTruth } from "../support/genesys-test-clients";
import { DOCUMENTED_KNOBS } from "../support/knob-variants";
import { byDivision, errorBodyOf, knobEnv, searchPage, setKnobs, sorted } from "./knob-helpers";

const { home: HOME, acme: ACME, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;
const env = knobEnv();

/** Ids of the seed's deleted users in a division, read from the emulator's directory. */
const deletedIn = (divisionId: string): string[] =>
  sorted([...env.emu.state.users.values()].filter((u) => u.divisionId === divisionId && u.state === "deleted").map((u) => u.id));

interface Listing {
  total: number;
  entities: { id: string; state: string; division: { id: string } }[];
}

describe("the knobs in GET/PUT /__emulator/faults", () => {
  it("default to their documented behaviour, change one at a time, refuse bad values and are cleared by reset", async () => {
    expect(await control(env.url, "GET", "faults")).toMatchObject(DOCUMENTED_KNOBS);

    const after = await setKnobs(env.url, { sortById: "ignore", listWindow: true, objectCountStates: "all" });
    expect(after).toMatchObject({ ...DOCUMENTED_KNOBS, sortById: "ignore", listWindow: true, objectCountStates: "all", p429: 0 });
    // Keys left out keep their value; false (or null) puts a choice knob back to its default.
    expect(await setKnobs(env.url, { startsWithId: "empty" })).toMatchObject({ sortById: "ignore", startsWithId: "empty", listWindow: true });
    expect(await setKnobs(env.url, { sortById: false, listWindow: false })).toMatchObject({ sortById: "ok", listWindow: false, startsWithId: "empty" });

    for (const bad of [{ sortById: "sometimes" }, { defaultSearchStates: "all" }, { objectCountStates: true }, { listWindow: "yes" }, { exactCaseSensitive: 1 }]) {
      const res = await fetch(`${env.url}/__emulator/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(Object.keys(bad)[0]);
    }
    expect(await control(env.url, "GET", "faults")).toMatchObject({ startsWithId: "empty", defaultSearchStates: "active+inactive" });

    await control(env.url, "POST", "reset");
    expect(await control(env.url, "GET", "faults")).toMatchObject(DOCUMENTED_KNOBS);
  });
});

describe("deleted users in the seed", () => {
  it("are readable by id with state any (or deleted) and carry state deleted, as Genesys returns them", async () => {
    const counts = Object.fromEntries(Object.entries(DEMO.divisions).map(([key, id]) => [key, deletedIn(id).length]));
    expect(counts).toEqual({ home: 3, acme: 2, globex: 0, initech: 5, umbrella: 20, stark: 0, wayne: 0 });

    const ids = [...deletedIn(ACME), ...deletedIn(INITECH)];
    const any = await apiJson<Listing>(env.url, env.token, `/api/v2/users?pageSize=100&state=any&id=${ids.join(",")}`);
    expect(any.status).toBe(200);
    expect(sorted(any.body.entities.map((u) => u.id))).toEqual(sorted(ids));
    expect(any.body.entities.every((u) => u.state === "deleted")).toBe(true);
    expect(any.body.entities.filter((u) => u.division.id === ACME)).toHaveLength(2);

    const active = await apiJson<Listing>(env.url, env.token, `/api/v2/users?pageSize=100&id=${ids.join(",")}`);
    expect(active.body.entities).toEqual([]); // the default state is active
    const one = await apiJson<{ state: string }>(env.url, env.token, `/api/v2/users/${ids[0]}?state=deleted`);
    expect(one).toMatchObject({ status: 200, body: { state: "deleted" } });
    expect((await apiRequest(env.url, env.token, `/api/v2/users/${ids[0]}`)).status).toBe(404);
  });

  it("are absent from the ground truth, a default search and objectCounts; a state criterion can ask for them", async () => {
    for (const divisionId of [HOME, ACME, INITECH, UMBRELLA]) {
      const truth = await groundTruth(env.url, divisionId);
      const deleted = deletedIn(divisionId);
      expect(deleted.length).toBeGreaterThan(0);
      for (const state of ["any", "active", "inactive"] as const) {
        expect((await groundTruth(env.url, divisionId, state)).filter((id) => deleted.includes(id))).toEqual([]);
      }
      const page = await searchPage(env.url, env.token, byDivision(divisionId));
      expect(page.total).toBe(truth.length);
      expect((page.results ?? []).filter((u) => deleted.includes(u.id))).toEqual([]);

      const division = await apiJson<{ objectCounts: { USER: number } }>(env.url, env.token, `/api/v2/authorization/divisions/${divisionId}?objectCount=true`);
      expect(division.body.objectCounts.USER).toBe(truth.length);
    }
    const all = await searchPage(env.url, env.token, byDivision(ACME, { pageSize: 100 }));
    expect(sorted((all.results ?? []).map((u) => u.id))).toEqual(await groundTruth(env.url, ACME));

    const asked = await searchPage(env.url, env.token, {
      pageSize: 100,
      query: [
        { type: "EXACT", fields: ["divisionId"], values: [UMBRELLA] },
        { type: "EXACT", fields: ["state"], values: ["deleted"] },
      ],
    });
    expect(asked.total).toBe(20);
    expect(sorted((asked.results ?? []).map((u) => u.id))).toEqual(deletedIn(UMBRELLA));
  });
});

describe("defaultSearchStates", () => {
  it("active+inactive (default): a search without a state criterion returns active and inactive users", async () => {
    const page = await searchPage(env.url, env.token, byDivision(ACME));
    expect(page.total).toBe((await groundTruth(env.url, ACME)).length);
    expect(new Set((page.results ?? []).map((u) => u.state))).toEqual(new Set(["active", "inactive"]));
  });

  it("active: only active users, unless the query names a state", async () => {
    await setKnobs(env.url, { defaultSearchStates: "active" });
    for (const divisionId of [ACME, INITECH]) {
      const page = await searchPage(env.url, env.token, byDivision(divisionId));
      expect(page.total).toBe((await groundTruth(env.url, divisionId, "active")).length);
      expect((page.results ?? []).every((u) => u.state === "active")).toBe(true);
    }
    const inactive = await searchPage(env.url, env.token, {
      pageSize: 100,
      query: [
        { type: "EXACT", fields: ["divisionId"], values: [ACME] },
        { type: "EXACT", fields: ["state"], values: ["inactive"] },
      ],
    });
    expect(sorted((inactive.results ?? []).map((u) => u.id))).toEqual(await groundTruth(env.url, ACME, "inactive"));
  });
});

describe("objectCountStates", () => {
  const counts = async () => {
    const one = await apiJson<{ objectCounts: { USER: number } }>(env.url, env.token, `/api/v2/authorization/divisions/${UMBRELLA}?objectCount=true`);
    const list = await apiJson<{ entities: { id: string; objectCounts: { USER: number } }[] }>(
      env.url,
      env.token,
      `/api/v2/authorization/divisions?objectCount=true&id=${UMBRELLA}`,
    );
    expect(list.body.entities[0]?.objectCounts.USER).toBe(one.body.objectCounts.USER);
    return one.body.objectCounts.USER;
  };

  it("counts active+inactive users by default, active only, or all including deleted", async () => {
    const truth = await groundTruth(env.url, UMBRELLA);
    expect(await counts()).toBe(truth.length);
    await setKnobs(env.url, { objectCountStates: "active" });
    expect(await counts()).toBe((await groundTruth(env.url, UMBRELLA, "active")).length);
    await setKnobs(env.url, { objectCountStates: "all" });
    expect(await counts()).toBe(truth.length + 20);
    await setKnobs(env.url, { objectCountStates: "active+inactive" });
    expect(await counts()).toBe(truth.length);
  });
});

describe("listWindow", () => {
  const list = (query: string) => apiRequest(env.url, env.token, `/api/v2/users?${query}`);

  it("off (default): GET /api/v2/users pages past 10,000 results in any state", async () => {
    const res = await list("state=any&pageSize=100&pageNumber=101");
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as Listing).entities).toHaveLength(100);
  });

  it("on: a listing in another state than active refuses pages beyond 10,000 results; active listings and id reads are not windowed", async () => {
    await setKnobs(env.url, { listWindow: true });
    for (const query of ["state=any&pageSize=100&pageNumber=101", "state=inactive&pageSize=1&pageNumber=10001", "state=deleted&pageSize=500&pageNumber=21"]) {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(errorBodyOf(res)).toMatchObject({ status: 400, code: "bad.request", message: "The requested page is beyond the 10000 result window" });
    }
    expect((await list("state=any&pageSize=100&pageNumber=100")).status).toBe(200); // exactly 10,000
    expect((await list("state=active&pageSize=100&pageNumber=101")).status).toBe(200);
    expect((await list("pageSize=100&pageNumber=101")).status).toBe(200); // state defaults to active

    const ids = deletedIn(UMBRELLA);
    const bulk = await list(`state=any&pageSize=100&pageNumber=101&id=${ids.join(",")}`);
    expect(bulk.status).toBe(200);
    expect((await list(`state=any&pageSize=100&id=${ids.join(",")}`)).status).toBe(200);
  });
});

describe("permittedDivisionsUserOnly", () => {
  const PATH = "/api/v2/authorization/divisionspermitted/paged/me?permission=directory:user:view";
  const anaToken = async () =>
    (
      await userToken(env.url, {
        client: DEMO.clients.staffLogin,
        redirectUri: "http://localhost:3000/api/auth/callback/genesys",
        username: DEMO.staff.ana.email,
        password: DEMO.password,
      })
    ).access_token;

  it("off (default): a client-credentials token may call divisionspermitted/paged/me", async () => {
    const res = await apiJson<{ entities: unknown[] }>(env.url, env.token, `${PATH}&pageSize=100`);
    expect(res.status).toBe(200);
    expect(res.body.entities).toHaveLength(6); // every division the BFF is granted, Stark Retail excepted
  });

  it("on: a client-credentials token gets 400 bad.request; a user token and the /{subjectId} form still work", async () => {
    await setKnobs(env.url, { permittedDivisionsUserOnly: true });
    const res = await apiRequest(env.url, env.token, PATH);
    expect(res.status).toBe(400);
    expect(errorBodyOf(res)).toMatchObject({
      status: 400,
      code: "bad.request",
      message: "This request requires a user context. Client credentials cannot be used for requests to this resource.",
    });

    const ana = await apiJson<{ entities: { id: string }[] }>(env.url, await anaToken(), PATH);
    expect(ana.status).toBe(200);
    expect(ana.body.entities.map((d) => d.id)).toEqual([ACME]);
    const bySubject = await apiJson<{ entities: { id: string }[] }>(
      env.url,
      env.token,
      `/api/v2/authorization/divisionspermitted/paged/${DEMO.staff.ana.id}?permission=directory:user:view`,
    );
    expect(bySubject.body.entities.map((d) => d.id)).toEqual([ACME]);
  });
});
