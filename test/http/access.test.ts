// The access explorer's routes against the emulator's grants: every demo manager's verdict and fix for every
// division, who can see each division, refusals for managers and signed-out callers, a formula-safe CSV, the
// audit trail, and what /access says when Tenantscope's own client lacks the permissions it needs.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { EmuGrant } from "@/emulator/model";
import { DEMO } from "@/emulator/seed";
import { roleGrants } from "@/emulator/state";
import {
  accessDivisionViewersSchema,
  accessExplanationSchema,
  accessPeopleSchema,
  accessPersonDetailSchema,
  auditPageSchema,
  diagnosticsSchema,
} from "@/lib/shared/contract";
import { parseBody } from "@/test/support/bff-bodies";
import type { CookieJar } from "@/test/support/http-session";
import { errorCode, parseCsv, sendText, signInAll, type Account, type Stack, startHttpStack } from "@/test/support/http-stack";

const APP_PORT = 3260;
const REFRESH_SECONDS = 2;
const VIEW = "directory:user:view";
const D = DEMO.divisions;
const S = DEMO.staff;
const MANAGERS = ["ana", "ben", "noAccess"] as const;
const DIVISION_IDS = Object.values(D);

let stack: Stack;
let app: string;
let jars: Record<Account, CookieJar>;

beforeAll(async () => {
  stack = await startHttpStack(APP_PORT, { STAFF_DIVISIONS_REFRESH_SECONDS: String(REFRESH_SECONDS) });
  app = stack.appUrl;
  jars = await signInAll(app);
});

afterAll(async () => {
  await stack?.stop();
});

const state = () => stack.emulator.state;
const get = (path: string, who: Account | null = "admin") => sendText(`${app}${path}`, { jar: who ? jars[who] : null });
const divisionName = (id: string) => state().divisions.get(id)?.name ?? "";

/** The emulator's truth: does this grant give directory:user:view in the division? */
function viewsIn(g: EmuGrant, divisionId: string): boolean {
  const role = state().roles.get(g.roleId);
  return role !== undefined && roleGrants(role, VIEW) && (g.divisionId === "*" || g.divisionId === divisionId);
}

async function putGrants(userId: string, grants: EmuGrant[]): Promise<void> {
  const res = await fetch(`${stack.emulator.url}/__emulator/users/${userId}/grants`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ grants }) });
  expect(res.status).toBe(200);
}

async function putClientGrants(grants: EmuGrant[]): Promise<void> {
  const res = await fetch(`${stack.emulator.url}/__emulator/clients/${DEMO.clients.bff.id}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ roleDivisions: grants }) });
  expect(res.status).toBe(200);
}

async function explain(userId: string, divisionId: string) {
  const res = await get(`/api/access/people/${userId}/divisions/${divisionId}`);
  expect(res.status, res.text).toBe(200);
  return parseBody(accessExplanationSchema, res.text);
}

describe("a person's access matches the emulator's grants", () => {
  test.each(MANAGERS)("%s: every division, verdict and fix", async (who) => {
    const user = state().users.get(S[who].id);
    if (!user) throw new Error("no demo user");
    const detail = parseBody(accessPersonDetailSchema, (await get(`/api/access/people/${user.id}`)).text);
    expect(detail.person).toEqual({ id: user.id, name: user.name, email: user.email });
    expect(detail.divisions.map((d) => d.divisionId).sort()).toEqual([...DIVISION_IDS].sort());
    const heldViewer = user.grants.some((g) => roleGrants(state().roles.get(g.roleId) ?? { id: "", name: "", description: "", permissions: [] }, VIEW));
    for (const divisionId of DIVISION_IDS) {
      const expected = user.grants.filter((g) => viewsIn(g, divisionId)).map((g) => g.roleId);
      const row = detail.divisions.find((d) => d.divisionId === divisionId);
      expect(row?.canView, `${who} ${divisionName(divisionId)}`).toBe(expected.length > 0);
      expect(row?.via.map((v) => v.roleId).sort()).toEqual([...new Set(expected)].sort());
      expect(row?.readableByTenantscope).toBe(divisionId !== D.stark);

      const e = await explain(user.id, divisionId);
      const name = divisionName(divisionId);
      expect(e.canView).toBe(expected.length > 0);
      if (e.canView) {
        expect(e.verdict).toBe(`${user.name} can view ${name}: their Directory Viewer role grants Directory > User > View in ${name}.`);
        expect(e.fix).toEqual([]);
      } else {
        expect(e.verdict).toBe(`${user.name} cannot view ${name}: none of their roles grants Directory > User > View in ${name}.`);
        expect(e.fix[0]).toMatch(
          heldViewer ? new RegExp(`^Add ${name} to the divisions of their Directory Viewer grant`) : new RegExp(`^Give them the Directory Viewer role in ${name}`),
        );
      }
      expect(e.tenantscope.isAdmin).toBe(false);
      expect(e.tenantscope.refreshSeconds).toBe(REFRESH_SECONDS);
    }
  });

  test("the admin is an admin by configuration; Stark Retail is named as unreadable by Tenantscope's client", async () => {
    const e = await explain(S.admin.id, D.stark);
    expect(e.canView).toBe(true);
    expect(e.tenantscope.adminBy).toEqual(["email"]);
    expect(e.tenantscope.sentences.join(" ")).toContain("TENANTSCOPE_ADMIN_EMAILS");
    expect(e.tenantscope.sentences.join(" ")).toContain(`lacks ${VIEW} in Stark Retail`);
  });

  test("a person's cached access says when it is read again", async () => {
    expect((await get("/api/divisions", "ana")).status).toBe(200);
    const e = await explain(S.ana.id, D.acme);
    expect(e.tenantscope.lastReadAt).not.toBeNull();
    const gap = Date.parse(e.tenantscope.nextReadAfter ?? "") - Date.parse(e.tenantscope.lastReadAt ?? "");
    expect(gap).toBe(REFRESH_SECONDS * 1000);
    expect(e.tenantscope.sentences[1]).toContain(`STAFF_DIVISIONS_REFRESH_SECONDS = ${REFRESH_SECONDS}`);
  });

  test("a grant changed in Genesys changes the verdict, and Ana's own access follows within the refresh window", async () => {
    const before = await explain(S.ana.id, D.globex);
    expect(before.canView).toBe(false);
    expect((await get(`/api/divisions/${D.globex}`, "ana")).status).toBe(403);
    await putGrants(S.ana.id, [
      { roleId: DEMO.roles.directoryViewer, divisionId: D.acme },
      { roleId: DEMO.roles.directoryViewer, divisionId: D.globex },
    ]);
    try {
      const after = await explain(S.ana.id, D.globex);
      expect(after.canView).toBe(true);
      expect(after.verdict).toBe("Ana Manager can view Globex Telecom: their Directory Viewer role grants Directory > User > View in Globex Telecom.");
      const started = Date.now();
      let status = 403;
      while (status !== 200 && Date.now() - started < (REFRESH_SECONDS + 2) * 1000) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await get(`/api/divisions/${D.globex}`, "ana")).status;
      }
      expect(status).toBe(200);
    } finally {
      await putGrants(S.ana.id, [{ roleId: DEMO.roles.directoryViewer, divisionId: D.acme }]);
    }
  });
});

describe("who can see a tenant matches the emulator's grants exactly", () => {
  test.each(Object.entries(D))("%s", async (_key, divisionId) => {
    const body = parseBody(accessDivisionViewersSchema, (await get(`/api/access/divisions/${divisionId}`)).text);
    const expected = new Set<string>();
    for (const u of state().users.values()) {
      if (u.state === "deleted") continue;
      for (const g of u.grants) if (viewsIn(g, divisionId)) expected.add(`user ${u.id} ${g.roleId}`);
    }
    for (const c of state().clients.values()) {
      if (c.authorizedGrantType !== "CLIENT-CREDENTIALS") continue;
      for (const g of c.roleDivisions) if (viewsIn(g, divisionId)) expected.add(`client ${c.id} ${g.roleId}`);
    }
    expect(new Set(body.viewers.map((v) => `${v.type} ${v.subjectId} ${v.roleId}`))).toEqual(expected);
    expect(body.admins).toEqual([{ email: S.admin.email, by: "email" }]);
    const ana = body.viewers.find((v) => v.subjectId === S.ana.id);
    if (ana) expect(ana.email).toBe(S.ana.email);
  });
});

describe("input and refusals", () => {
  const unknownId = "00000000-0000-4000-8000-000000000000";
  const paths = [
    "/api/access/people?q=ana",
    `/api/access/people/${S.ana.id}`,
    `/api/access/people/${S.ana.id}/divisions/${D.globex}`,
    `/api/access/divisions/${D.globex}`,
    `/api/access/divisions/${D.globex}/viewers.csv`,
  ];

  test.each(paths)("%s: managers 403, signed out 401", async (path) => {
    for (const who of MANAGERS) {
      const res = await get(path, who);
      expect(`${res.status} ${errorCode(res.text)}`, who).toBe("403 forbidden");
      expect(res.text).not.toContain("Globex");
    }
    const out = await get(path, null);
    expect(`${out.status} ${errorCode(out.text)}`).toBe("401 unauthenticated");
  });

  test("search finds people by name or email; too short or unknown parameters are 400", async () => {
    const found = parseBody(accessPeopleSchema, (await get("/api/access/people?q=manager")).text);
    expect(found.people.map((p) => p.id)).toEqual(expect.arrayContaining([S.ana.id, S.ben.id]));
    expect((await get("/api/access/people?q=a")).status).toBe(400);
    expect((await get("/api/access/people?q=ana&x=1")).status).toBe(400);
  });

  test("forged ids: malformed 400, unknown 404", async () => {
    for (const path of ["/api/access/people/not-an-id", `/api/access/people/${S.ana.id}/divisions/..%2F..`, "/api/access/divisions/x'--"]) {
      expect(`${(await get(path)).status}`, path).toBe("400");
    }
    expect((await get(`/api/access/people/${unknownId}`)).status).toBe(404);
    expect((await get(`/api/access/people/${S.ana.id}/divisions/${unknownId}`)).status).toBe(404);
    expect((await get(`/api/access/divisions/${unknownId}`)).status).toBe(404);
    expect((await get(`/api/access/divisions/${unknownId}/viewers.csv`)).status).toBe(404);
  });
});

describe("access review CSV", () => {
  test("formula-safe with hostile role and person names", async () => {
    const hostileRole = { id: "6f1b7b36-8c49-4c39-9d59-0f3f0d0c9a11", name: '=HYPERLINK("http://evil.example","x")', description: "", permissions: [VIEW] };
    state().roles.set(hostileRole.id, hostileRole);
    const noah = state().users.get(S.noAccess.id);
    if (!noah) throw new Error("no Noah");
    const [name, grants] = [noah.name, noah.grants];
    noah.name = "@SUM(1+1)";
    noah.version++;
    noah.grants = [...grants, { roleId: hostileRole.id, divisionId: D.wayne }];
    try {
      const res = await get(`/api/access/divisions/${D.wayne}/viewers.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/csv");
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual(["Division", "Division id", "Name", "Email", "Subject type", "Subject id", "Access through", "Granted in"]);
      const row = rows.find((r) => r[5] === S.noAccess.id);
      expect(row?.[2]).toBe("'@SUM(1+1)");
      expect(row?.[6]).toBe(`Role: =HYPERLINK("http://evil.example","x")`);
      // No cell starts with a formula character once read back.
      for (const r of rows.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@]/);
      expect(rows.some((r) => r[6] === "Tenantscope administrator (TENANTSCOPE_ADMIN_EMAILS)" && r[3] === S.admin.email)).toBe(true);
    } finally {
      noah.name = name;
      noah.version++;
      noah.grants = grants;
      state().roles.delete(hostileRole.id);
    }
  });
});

describe("audit", () => {
  test("explanations and exports name who asked, about whom, and which division", async () => {
    await explain(S.ben.id, D.umbrella);
    expect((await get(`/api/access/divisions/${D.umbrella}/viewers.csv`)).status).toBe(200);
    expect((await get(`/api/access/people/${S.ben.id}`, "ana")).status).toBe(403);
    const page = parseBody(auditPageSchema, (await get("/api/audit?limit=50")).text);
    const explained = page.events.find((e) => e.action === "access.explain" && e.subjectId === S.ben.id && e.divisionId === D.umbrella);
    expect(explained).toMatchObject({ outcome: "ok", subjectName: "Ben Manager", divisionName: "Umbrella Health", actor: { email: S.admin.email } });
    const exported = page.events.find((e) => e.action === "access.export" && e.divisionId === D.umbrella);
    expect(exported).toMatchObject({ outcome: "ok", actor: { email: S.admin.email } });
    expect(exported?.rows).toBeGreaterThan(0);
    const refused = page.events.find((e) => e.action === "access.person" && e.actor?.email === S.ana.email);
    expect(refused).toMatchObject({ outcome: "denied", code: "forbidden", subjectId: S.ben.id });
  });

  test("a manager who opens the /access page (say, a link meant for their admin) is refused, and it is recorded with whom and which division it named", async () => {
    const opened = await get(`/access?person=${S.ben.id}&division=${D.umbrella}`, "ben");
    expect(opened.status).toBe(403);
    const page = parseBody(auditPageSchema, (await get(`/api/audit?limit=50&action=access.explain&outcome=denied`)).text);
    const refusal = page.events.find((e) => e.actor?.email === S.ben.email);
    expect(refusal).toMatchObject({ outcome: "denied", code: "forbidden", subjectId: S.ben.id, divisionId: D.umbrella });
    // A malformed id in the link is not recorded as if it named someone.
    expect((await get("/access?person=%3Cscript%3E&division=nope", "ana")).status).toBe(403);
    const later = parseBody(auditPageSchema, (await get(`/api/audit?limit=50&action=access.explain&outcome=denied`)).text);
    const ana = later.events.find((e) => e.actor?.email === S.ana.email);
    expect(ana).toMatchObject({ outcome: "denied", code: "forbidden" });
    expect(ana?.subjectId).toBeUndefined();
    expect(ana?.divisionId).toBeUndefined();
  });
});

describe("Tenantscope's client without the permissions /access needs", () => {
  test("explains which permission to add instead of failing", async () => {
    const original = (state().clients.get(DEMO.clients.bff.id)?.roleDivisions ?? []).map((g) => ({ ...g }));
    try {
      const held = async () => Object.fromEntries((parseBody(diagnosticsSchema, (await get("/api/diagnostics")).text).accessExplorer?.value ?? []).map((r) => [r.permission, r.held]));
      expect(await held()).toEqual({ "authorization:grant:view": true, "authorization:role:view": true });
      await putClientGrants(original.filter((g) => g.roleId !== DEMO.roles.grantViewer));
      expect(await held()).toEqual({ "authorization:grant:view": false, "authorization:role:view": true });
      const person = parseBody(accessPersonDetailSchema, (await get(`/api/access/people/${S.ana.id}`)).text);
      expect(person.blocked?.permission).toBe("authorization:grant:view");
      expect(person.blocked?.fix[0]).toContain("Authorization > Grant > View (authorization:grant:view)");
      const e = await explain(S.ana.id, D.globex);
      expect(e.blocked?.permission).toBe("authorization:grant:view");

      await putClientGrants(original.filter((g) => g.roleId === DEMO.roles.directoryViewer));
      const viewers = parseBody(accessDivisionViewersSchema, (await get(`/api/access/divisions/${D.acme}`)).text);
      expect(viewers.blocked?.permission).toBe("authorization:role:view");
      const csv = await get(`/api/access/divisions/${D.acme}/viewers.csv`);
      expect(`${csv.status} ${errorCode(csv.text)}`).toBe("403 upstream_forbidden");
      expect(csv.text).toContain("authorization:role:view");
    } finally {
      await putClientGrants(original);
    }
  });
});
