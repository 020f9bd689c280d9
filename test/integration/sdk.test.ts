// The official SDK (purecloud-platform-client-v2) as the client of the emulator: what the BFF will do against
// Genesys Cloud, including the SDK behaviours the BFF depends on (comma-joined arrays, bare-body rejections,
// extended responses, independent ApiClientClass instances, no retries).
import platformClient from "purecloud-platform-client-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import {
  createSdkClient,
  divisionSearch,
  extended,
  groundTruth,
  isErrorBody,
  isExtendedResponse,
  loggedInSdkClient,
  q64Of,
  rejectionOf,
  type SdkClient,
} from "../support/genesys-test-clients";

const GLOBEX = DEMO.divisions.globex;
/** Divisions the BFF client holds directory:user:view in (deliberately not Stark Retail; seed.ts). */
const BFF_DIVISIONS = [DEMO.divisions.home, DEMO.divisions.acme, DEMO.divisions.globex, DEMO.divisions.initech, DEMO.divisions.umbrella, DEMO.divisions.wayne];

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

let emu: RunningEmulator;
let bff: SdkClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  bff = await loggedInSdkClient(emu.port, DEMO.clients.bff);
});

afterAll(async () => {
  await emu?.stop();
});

describe("SDK: client-credentials login", () => {
  it("logs in with loginClientCredentialsGrant and the token acts as the BFF client", async () => {
    const client = createSdkClient(emu.port);
    const before = Date.now();
    const auth = await client.loginClientCredentialsGrant(DEMO.clients.bff.id, DEMO.clients.bff.secret);
    expect(auth.accessToken).toMatch(/^\S{20,}$/);
    // The SDK computes the expiry from expires_in (86,400 s by default).
    expect(auth.tokenExpiryTime).toBeGreaterThanOrEqual(before + 86_399_000);
    expect(auth.tokenExpiryTime).toBeLessThanOrEqual(Date.now() + 86_400_000);

    const tokenInfo = await new platformClient.TokensApi(client).getTokensMe();
    expect(tokenInfo.OAuthClient?.id).toBe(DEMO.clients.bff.id);
    expect(tokenInfo.organization?.id).toBe(DEMO.orgId);

    const org = await new platformClient.OrganizationApi(client).getOrganizationsMe();
    expect(org).toMatchObject({ id: DEMO.orgId, name: DEMO.orgName });

    const oauthClient = await new platformClient.OAuthApi(client).getOauthClient(DEMO.clients.bff.id);
    expect(oauthClient).toMatchObject({ id: DEMO.clients.bff.id, authorizedGrantType: "CLIENT-CREDENTIALS", accessTokenValiditySeconds: 86400 });
    expect(oauthClient.roleDivisions?.map((g) => g.divisionId)).toEqual(expect.arrayContaining(BFF_DIVISIONS));
  });

  it("a wrong secret rejects the login with the raw AxiosError (401 invalid_client)", async () => {
    const raw = await rejectionOf(createSdkClient(emu.port).loginClientCredentialsGrant(DEMO.clients.bff.id, "not-the-secret"));
    const response = (raw as { response?: { status?: unknown; data?: unknown } }).response;
    expect(response?.status).toBe(401);
    expect(response?.data).toMatchObject({ error: "invalid_client" });
  });
});

describe("SDK: paging the users of one division", () => {
  it("postUsersSearch, pageNumber 1..pageCount, returns exactly the division's users", async () => {
    const search = new platformClient.SearchApi(bff);
    const truth = await groundTruth(emu.url, GLOBEX);
    expect(truth.length).toBeGreaterThan(300);

    const ids: string[] = [];
    let pageCount = 1;
    for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) {
      const page = await search.postUsersSearch(divisionSearch(GLOBEX, pageNumber, 100));
      expect(page.pageNumber).toBe(pageNumber);
      expect(page.total).toBe(truth.length);
      pageCount = page.pageCount;
      for (const user of page.results ?? []) {
        expect(user.division?.id).toBe(GLOBEX);
        ids.push(user.id ?? "");
      }
    }
    expect(pageCount).toBe(Math.ceil(truth.length / 100));
    expect(new Set(ids).size).toBe(ids.length); // no user twice
    expect(sorted(ids)).toEqual(truth);
  });

  it("getUsersSearch(q64), following nextPage to the end, returns the same users", async () => {
    const search = new platformClient.SearchApi(bff);
    const truth = await groundTruth(emu.url, GLOBEX);

    let page = await search.postUsersSearch(divisionSearch(GLOBEX, 1, 50));
    const ids = (page.results ?? []).map((u) => u.id ?? "");
    let requests = 1;
    while (page.nextPage) {
      page = await search.getUsersSearch(q64Of(page.nextPage));
      requests++;
      expect(page.pageNumber).toBe(requests);
      ids.push(...(page.results ?? []).map((u) => u.id ?? ""));
    }
    expect(requests).toBe(Math.ceil(truth.length / 50));
    expect(page.pageNumber).toBe(page.pageCount);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sorted(ids)).toEqual(truth);
  });

  it("getUsers({ id: [...] }) sends the ids comma-joined and returns those users in any state", async () => {
    const client = await loggedInSdkClient(emu.port, DEMO.clients.bff);
    // The axios config the SDK builds, seen through its pre-request hook.
    const sent: { url?: string; params?: Record<string, unknown> }[] = [];
    client.getHttpClient().setPreHook(async (config: { url?: string; params?: Record<string, unknown> }) => {
      sent.push({ url: config.url, params: { ...config.params } });
      return config;
    });
    const users = new platformClient.UsersApi(client);
    const truth = await groundTruth(emu.url, GLOBEX);
    const inactive = new Set(await groundTruth(emu.url, GLOBEX, "inactive"));
    expect(inactive.size).toBeGreaterThan(0);
    // A slice that surely holds an inactive user, so state: "any" matters.
    const wanted = [...[...inactive].slice(0, 1), ...truth.filter((id) => !inactive.has(id)).slice(0, 99)];
    expect(wanted).toHaveLength(100);

    const listing = await users.getUsers({ id: wanted, pageSize: 100, state: "any" });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`http://127.0.0.1:${emu.port}/api/v2/users`);
    expect(sent[0]?.params).toMatchObject({ id: wanted.join(","), state: "any" }); // one parameter, not id=…&id=…
    expect(listing.total).toBe(100);
    expect(sorted((listing.entities ?? []).map((u) => u.id ?? ""))).toEqual(sorted(wanted));
    for (const u of listing.entities ?? []) expect(u.division?.id).toBe(GLOBEX);
    expect(listing.entities?.some((u) => u.state === "inactive")).toBe(true);

    // The default state (active) drops the inactive one.
    const activeOnly = await users.getUsers({ id: wanted, pageSize: 100 });
    expect(activeOnly.total).toBe(99);

    // 101 ids: 400 max.user.ids, rejected with the bare ErrorBody in default mode.
    const tooMany = await rejectionOf(users.getUsers({ id: [...wanted, truth[100] ?? ""], pageSize: 100, state: "any" }));
    expect(tooMany).toMatchObject({ status: 400, code: "max.user.ids" });
  });
});

describe("SDK: divisions", () => {
  it("getAuthorizationDivision with objectCount counts the division's users", async () => {
    const authz = new platformClient.AuthorizationApi(bff);
    const truth = await groundTruth(emu.url, GLOBEX);
    const division = await authz.getAuthorizationDivision(GLOBEX, { objectCount: true });
    expect(division).toMatchObject({ id: GLOBEX, name: "Globex Telecom", homeDivision: false });
    expect(division.objectCounts?.USER).toBe(truth.length);

    const plain = await authz.getAuthorizationDivision(GLOBEX);
    expect(plain.objectCounts).toBeUndefined();

    const missing = await rejectionOf(authz.getAuthorizationDivision("00000000-0000-4000-8000-000000000000"));
    expect(missing).toMatchObject({ status: 404, code: "not.found" });
  });

  it("lists all divisions, finds the home division and the divisions permitted to the caller", async () => {
    const authz = new platformClient.AuthorizationApi(bff);

    const list = await authz.getAuthorizationDivisions({ pageSize: 25 });
    expect(list.total).toBe(Object.keys(DEMO.divisions).length);
    expect(sorted((list.entities ?? []).map((d) => d.id ?? ""))).toEqual(sorted(Object.values(DEMO.divisions)));

    const byId = await authz.getAuthorizationDivisions({ id: [GLOBEX, DEMO.divisions.acme] });
    expect(sorted((byId.entities ?? []).map((d) => d.id ?? ""))).toEqual(sorted([GLOBEX, DEMO.divisions.acme]));

    const home = await authz.getAuthorizationDivisionsHome();
    expect(home).toMatchObject({ id: DEMO.divisions.home, homeDivision: true });
    expect(home.objectCounts).toBeUndefined();

    const permitted = await authz.getAuthorizationDivisionspermittedPagedMe("directory:user:view", { pageSize: 25 });
    expect(permitted.allDivsPermitted).toBe(false);
    expect(sorted((permitted.entities ?? []).map((d) => d.id ?? ""))).toEqual(sorted(BFF_DIVISIONS));
    expect(permitted.entities?.map((d) => d.id)).not.toContain(DEMO.divisions.stark);
  });
});

describe("SDK: errors", () => {
  it("403 in default mode rejects with the bare ErrorBody, code missing.permissions", async () => {
    const misconfigured = await loggedInSdkClient(emu.port, DEMO.clients.misconfigured);
    const raw = await rejectionOf(new platformClient.SearchApi(misconfigured).postUsersSearch(divisionSearch(GLOBEX, 1)));
    expect(isErrorBody(raw)).toBe(true);
    expect(raw).toMatchObject({ status: 403, code: "missing.permissions" });
    expect((raw as { message: string }).message).toContain("directory:user:view");
    expect(raw).not.toHaveProperty("headers"); // default mode: no status line, no headers
  });

  it("403 in extended mode: status 403 and inin-correlation-id equal to body.contextId", async () => {
    const misconfigured = await loggedInSdkClient(emu.port, DEMO.clients.misconfigured, { extended: true });
    const raw = await rejectionOf(new platformClient.SearchApi(misconfigured).postUsersSearch(divisionSearch(GLOBEX, 1)));
    expect(isExtendedResponse(raw)).toBe(true);
    if (!isExtendedResponse(raw)) return;
    expect(raw.status).toBe(403);
    expect(isErrorBody(raw.body)).toBe(true);
    if (!isErrorBody(raw.body)) return;
    expect(raw.body.code).toBe("missing.permissions");
    expect(raw.headers["inin-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw.headers["inin-correlation-id"]).toBe(raw.body.contextId);
  });

  it("401 bad.credentials once the token has expired (the SDK does not log in again)", async () => {
    const shortLived = await startEmulator({ port: 0, tokenLifetimeSeconds: 1 });
    try {
      const client = await loggedInSdkClient(shortLived.port, DEMO.clients.bff, { extended: true });
      const authz = new platformClient.AuthorizationApi(client);
      expect((await extended(authz.getAuthorizationDivisionsHome())).status).toBe(200);

      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const raw = await rejectionOf(authz.getAuthorizationDivisionsHome());
      expect(isExtendedResponse(raw) && raw.status).toBe(401);
      expect(isExtendedResponse(raw) && raw.body).toMatchObject({ status: 401, code: "bad.credentials" });
      // Exactly one token: the client-credentials grant has no refresh token to re-login with.
      expect(shortLived.stats().tokensIssued).toBe(1);
    } finally {
      await shortLived.stop();
    }
  });

  it("429 with Retry-After, read through extended responses; the SDK does not retry", async () => {
    const limited = await startEmulator({ port: 0, rateLimit: 2 });
    try {
      const client = await loggedInSdkClient(limited.port, DEMO.clients.bff, { extended: true });
      const authz = new platformClient.AuthorizationApi(client);
      for (let i = 0; i < 2; i++) expect((await extended(authz.getAuthorizationDivisionsHome())).status).toBe(200);

      const raw = await rejectionOf(authz.getAuthorizationDivisionsHome());
      expect(isExtendedResponse(raw)).toBe(true);
      if (!isExtendedResponse(raw)) return;
      expect(raw.status).toBe(429);
      const retryAfter = Number(raw.headers["retry-after"]);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(raw.body).toMatchObject({ status: 429, code: "too.many.requests.retry.after" });
      expect(raw.headers["inin-correlation-id"]).toBe((raw.body as { contextId?: unknown }).contextId);
      // One 429, one request: the SDK does not retry by itself.
      expect(limited.stats().byOperation.getAuthorizationDivisionsHome).toEqual({ 200: 2, 429: 1 });
    } finally {
      await limited.stop();
    }
  });
});

describe("SDK: several ApiClientClass instances in one process", () => {
  it("a second client with another identity and mode does not affect the first", async () => {
    const first = await loggedInSdkClient(emu.port, DEMO.clients.bff);
    const second = await loggedInSdkClient(emu.port, DEMO.clients.misconfigured, { extended: true });
    const firstSearch = new platformClient.SearchApi(first);
    const secondSearch = new platformClient.SearchApi(second);

    // Interleaved and concurrent calls: each keeps its own token, gateway and response mode.
    const [ok, denied, firstMe, secondMe] = await Promise.all([
      firstSearch.postUsersSearch(divisionSearch(GLOBEX, 1, 10)),
      rejectionOf(secondSearch.postUsersSearch(divisionSearch(GLOBEX, 1, 10))),
      new platformClient.TokensApi(first).getTokensMe(),
      extended(new platformClient.TokensApi(second).getTokensMe()),
    ]);
    expect(ok.results).toHaveLength(10); // plain body: the first client is still in default mode
    expect(isExtendedResponse(denied) && denied.status).toBe(403);
    expect(firstMe.OAuthClient?.id).toBe(DEMO.clients.bff.id);
    expect(secondMe.body.OAuthClient?.id).toBe(DEMO.clients.misconfigured.id);

    // After the second client's 403, the first still searches with its own permissions.
    const again = await firstSearch.postUsersSearch(divisionSearch(GLOBEX, 2, 10));
    expect(again.pageNumber).toBe(2);
    expect(again.results).toHaveLength(10);

    // A third client pointed elsewhere does not move the others' gateway.
    const other = await startEmulator({ port: 0 });
    try {
      const third = await loggedInSdkClient(other.port, DEMO.clients.bff);
      await new platformClient.AuthorizationApi(third).getAuthorizationDivisionsHome();
      emu.resetStats();
      await new platformClient.AuthorizationApi(first).getAuthorizationDivisionsHome();
      expect(emu.stats().byOperation.getAuthorizationDivisionsHome).toEqual({ 200: 1 });
      expect(other.stats().byOperation.getAuthorizationDivisionsHome).toEqual({ 200: 1 });
    } finally {
      await other.stop();
    }
  });
});
