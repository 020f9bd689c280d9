import { createHash } from "node:crypto";
import { describe, it, expect } from "vitest";
import type { EmuOrg, EmuUser } from "@/emulator/model";
import { DEMO, seedOrg } from "@/emulator/seed";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SEEDS = [1, 2, 3, 4, 5];

// Seeding is the expensive part; every test reads the same few orgs.
const orgs = new Map<number, EmuOrg>();
function org(seed: number): EmuOrg {
  let o = orgs.get(seed);
  if (!o) {
    o = seedOrg(seed);
    orgs.set(seed, o);
  }
  return o;
}

function usersIn(o: EmuOrg, divisionId: string): EmuUser[] {
  return o.users.filter((u) => u.divisionId === divisionId);
}

function userById(o: EmuOrg, id: string): EmuUser {
  const user = o.users.find((u) => u.id === id);
  if (!user) throw new Error(`no user ${id}`);
  return user;
}

describe("seedOrg", () => {
  it("builds the whole org in well under a second", () => {
    const started = performance.now();
    const o = seedOrg(42);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(o.users.length).toBeGreaterThan(14_000);
  });

  it("is deterministic for a seed and varies between seeds", () => {
    expect(JSON.stringify(seedOrg(1))).toBe(JSON.stringify(org(1)));
    const names1 = org(1).users.map((u) => `${u.id} ${u.name}`);
    const names2 = org(2).users.map((u) => `${u.id} ${u.name}`);
    expect(names2).not.toEqual(names1);
  });

  it("does not share mutable state between calls", () => {
    const a = seedOrg(7);
    const b = seedOrg(7);
    a.users[0]?.grants.push({ roleId: DEMO.roles.employee, divisionId: DEMO.divisions.home });
    a.roles[0]?.permissions.push("x:y:z");
    a.clients[0]?.roleDivisions.push({ roleId: DEMO.roles.employee, divisionId: DEMO.divisions.home });
    expect(JSON.stringify(seedOrg(7))).toBe(JSON.stringify(b));
  });

  it("has the fixed org and the seven divisions with exactly one home division", () => {
    const o = org(1);
    expect(o).toMatchObject({ id: DEMO.orgId, name: "Northwind BPO", domain: "northwind.example" });
    expect(o.divisions.map((d) => [d.id, d.name, d.homeDivision])).toEqual([
      [DEMO.divisions.home, "Home", true],
      [DEMO.divisions.acme, "Acme Insurance", false],
      [DEMO.divisions.globex, "Globex Telecom", false],
      [DEMO.divisions.initech, "Initech Bank", false],
      [DEMO.divisions.umbrella, "Umbrella Health", false],
      [DEMO.divisions.stark, "Stark Retail", false],
      [DEMO.divisions.wayne, "Wayne Logistics", false],
    ]);
    for (const d of o.divisions) expect(d.description.length).toBeGreaterThan(0);
  });

  it.each(SEEDS)("keeps per-division sizes in range (seed %i)", (seed) => {
    const o = org(seed);
    // Live (not deleted) users: the deleted ones are a fixed few per division (DEMO.deletedUsers), checked below.
    const count = (id: string): number => usersIn(o, id).filter((u) => u.state !== "deleted").length;
    const d = DEMO.divisions;
    expect(count(d.home)).toBeGreaterThanOrEqual(18);
    expect(count(d.home)).toBeLessThanOrEqual(20);
    expect(count(d.acme)).toBeGreaterThanOrEqual(37);
    expect(count(d.acme)).toBeLessThanOrEqual(43);
    expect(count(d.globex)).toBeGreaterThanOrEqual(335);
    expect(count(d.globex)).toBeLessThanOrEqual(365);
    expect(count(d.initech)).toBeGreaterThanOrEqual(2450);
    expect(count(d.initech)).toBeLessThanOrEqual(2550);
    expect(count(d.umbrella)).toBeGreaterThan(10_500);
    expect(count(d.umbrella)).toBeLessThanOrEqual(12_150);
    expect(count(d.stark)).toBeGreaterThanOrEqual(190);
    expect(count(d.stark)).toBeLessThanOrEqual(210);
    expect(count(d.wayne)).toBe(0);
    const deleted = (id: string): number => usersIn(o, id).filter((u) => u.state === "deleted").length;
    expect(Object.values(d).map(deleted)).toEqual([3, 2, 0, 5, 20, 0, 0]); // home, acme, globex, initech, umbrella, stark, wayne
  });

  // sha256 of JSON.stringify(org) without its deleted users, taken before the deleted users were added to the seed:
  // adding them changed nothing else (same ids, names, states, order).
  it.each([
    [1, "eab445c3925302891108e37e678de7eed433d04362fb40f661133efe41279882"],
    [2, "d34d7b5cbbaca1fed3622bf44ab83f8369438c01daf712feea1155dada38dd8d"],
  ])("keeps every other user byte-identical; the deleted users come last (seed %i)", (seed, sha256) => {
    const o = org(seed);
    const live = o.users.filter((u) => u.state !== "deleted");
    // The BFF's Grant Viewer grant (for /access) came later still: left out, the rest must be as it was.
    const clients = o.clients.map((c) => ({ ...c, roleDivisions: c.roleDivisions.filter((g) => !(c.id === DEMO.clients.bff.id && g.roleId === DEMO.roles.grantViewer)) }));
    expect(createHash("sha256").update(JSON.stringify({ ...o, users: live, clients })).digest("hex")).toBe(sha256);
    const deletedCount = Object.values(DEMO.deletedUsers).reduce((a, b) => a + b, 0);
    expect(o.users.findIndex((u) => u.state === "deleted")).toBe(live.length);
    expect(o.users.slice(live.length).map((u) => u.state)).toEqual(new Array<string>(deletedCount).fill("deleted"));
    for (const u of o.users.slice(live.length)) {
      expect(u.grants).toEqual([]);
      expect(u.password).toBeUndefined();
      expect(u.email).toMatch(/^former\./);
    }
  });

  it.each(SEEDS)("keeps ids and emails unique and references intact (seed %i)", (seed) => {
    const o = org(seed);
    const allIds = [o.id, ...o.divisions.map((d) => d.id), ...o.roles.map((r) => r.id), ...o.clients.map((c) => c.id), ...o.users.map((u) => u.id)];
    expect(allIds.filter((id) => !UUID_V4.test(id))).toEqual([]);
    expect(new Set(allIds).size).toBe(allIds.length);

    const emails = o.users.map((u) => u.email);
    expect(new Set(emails).size).toBe(emails.length);

    // Problems are collected and asserted once: an expect() per user made this test take seconds.
    const divisionIds = new Set(o.divisions.map((d) => d.id));
    const byId = new Map(o.users.map((u) => [u.id, u]));
    const problems: string[] = [];
    for (const u of o.users) {
      if (!divisionIds.has(u.divisionId)) problems.push(`${u.id}: unknown division`);
      if (u.username !== u.email) problems.push(`${u.id}: username differs from email`);
      if (!/^[a-z0-9.-]+@([a-z0-9-]+\.)?northwind\.example$/.test(u.email)) problems.push(`${u.id}: email ${u.email}`);
      if (u.state !== "active" && u.state !== "inactive" && u.state !== "deleted") problems.push(`${u.id}: state ${u.state}`);
      if (!Number.isInteger(u.version) || u.version < 1) problems.push(`${u.id}: version ${u.version}`);
      if (u.managerId !== undefined) {
        const manager = byId.get(u.managerId);
        if (manager?.divisionId !== u.divisionId || manager.id === u.id) problems.push(`${u.id}: manager ${u.managerId}`);
      }
      // Absent optionals are left out, not present as undefined.
      for (const key of ["title", "department", "managerId", "password"] as const) {
        if (key in u && u[key] === undefined) problems.push(`${u.id}: ${key} present but undefined`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("looks like a real contact-centre directory", () => {
    const users = org(1).users;
    const share = (pred: (u: EmuUser) => boolean): number => users.filter(pred).length / users.length;
    expect(share((u) => u.state === "inactive")).toBeGreaterThan(0.07);
    expect(share((u) => u.state === "inactive")).toBeLessThan(0.13);
    expect(share((u) => u.managerId !== undefined)).toBeGreaterThan(0.85);
    expect(share((u) => u.title === undefined)).toBeGreaterThan(0);
    expect(share((u) => u.department === undefined)).toBeGreaterThan(0);
    expect(users.filter((u) => u.state === "deleted")).toHaveLength(30); // DEMO.deletedUsers: 3 + 2 + 5 + 20

    const managerIds = new Set(users.map((u) => u.managerId));
    for (const u of users) {
      if (managerIds.has(u.id) && u.divisionId !== DEMO.divisions.home) {
        expect(["Team Lead", "Supervisor", "Account Director"]).toContain(u.title);
      }
    }

    const titles = new Set(users.map((u) => u.title));
    for (const t of ["Agent", "Senior Agent", "Team Lead", "Supervisor", "Quality Analyst", "Workforce Planner", "Trainer"]) {
      expect(titles).toContain(t);
    }
    const names = users.map((u) => u.name);
    expect(names.some((n) => /[^\x20-\x7e]/.test(n))).toBe(true);
    expect(names.some((n) => /\p{Script=Han}/u.test(n))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
    expect(names.some((n) => / \S+-\S+$/.test(n))).toBe(true);
    expect(users.filter((u) => u.grants.length > 0).map((u) => u.id).sort()).toEqual(
      Object.values(DEMO.staff).map((s) => s.id).sort(),
    );
  });

  it.each(SEEDS)("always includes the CSV-injection users in Acme and Globex (seed %i)", (seed) => {
    const o = org(seed);
    for (const key of ["acme", "globex"] as const) {
      const csvUsers = DEMO.csvUsers[key].map((id) => userById(o, id));
      expect(csvUsers.map((u) => u.name.charAt(0)).sort()).toEqual(["+", "-", "=", "@"]);
      for (const u of csvUsers) {
        expect(u.divisionId).toBe(DEMO.divisions[key]);
        expect(u.state).toBe("active");
      }
    }
    expect(userById(o, DEMO.csvUsers.acme[0]).name).toBe('=HYPERLINK("http://evil.example","x")');
  });

  it("defines the roles without wildcards, and Employee cannot view the directory", () => {
    const roles = new Map(org(1).roles.map((r) => [r.id, r]));
    expect(roles.get(DEMO.roles.directoryViewer)).toMatchObject({ name: "Directory Viewer", permissions: ["directory:user:view"] });
    expect(roles.get(DEMO.roles.integrationAdminReader)).toMatchObject({
      name: "Integration Admin Reader",
      permissions: ["oauth:client:view", "authorization:role:view"],
    });
    expect(roles.get(DEMO.roles.employee)).toMatchObject({ name: "Employee", permissions: ["user:profile:view"] });
    expect(roles.get(DEMO.roles.grantViewer)).toMatchObject({ name: "Grant Viewer", permissions: ["authorization:grant:view"] });
    expect(roles.size).toBe(4);
    for (const r of roles.values()) for (const p of r.permissions) expect(p).not.toContain("*");
  });

  it("has the staff accounts with their passwords and grants", () => {
    const o = org(3);
    const d = DEMO.divisions;
    const r = DEMO.roles;
    const staff = (key: keyof typeof DEMO.staff): EmuUser => {
      const u = userById(o, DEMO.staff[key].id);
      expect(u).toMatchObject({
        name: DEMO.staff[key].name,
        email: DEMO.staff[key].email,
        username: DEMO.staff[key].email,
        divisionId: d.home,
        state: "active",
        password: DEMO.password,
      });
      return u;
    };
    expect(DEMO.password).toBe("demo");
    expect(staff("admin")).toMatchObject({ name: "Avery Admin", email: "admin@northwind.example" });
    expect(staff("admin").grants).toEqual([
      { roleId: r.directoryViewer, divisionId: "*" },
      { roleId: r.integrationAdminReader, divisionId: d.home },
      { roleId: r.grantViewer, divisionId: d.home },
    ]);
    expect(staff("ana")).toMatchObject({ name: "Ana Manager", email: "ana.manager@northwind.example" });
    expect(staff("ana").grants).toEqual([{ roleId: r.directoryViewer, divisionId: d.acme }]);
    expect(staff("ben")).toMatchObject({ name: "Ben Manager", email: "ben.manager@northwind.example" });
    expect(staff("ben").grants).toEqual([
      { roleId: r.directoryViewer, divisionId: d.globex },
      { roleId: r.directoryViewer, divisionId: d.initech },
    ]);
    expect(staff("noAccess")).toMatchObject({ name: "Noah Access", email: "no.access@northwind.example" });
    expect(staff("noAccess").grants).toEqual([{ roleId: r.employee, divisionId: d.home }]);
    expect(o.users.filter((u) => u.password !== undefined)).toHaveLength(4);
  });

  it("has the three OAuth clients as specified", () => {
    const o = org(1);
    const d = DEMO.divisions;
    const r = DEMO.roles;
    expect(o.clients).toHaveLength(3);
    const client = (id: string) => {
      const c = o.clients.find((x) => x.id === id);
      if (!c) throw new Error(`no client ${id}`);
      expect(c.state).toBe("active");
      expect(c.accessTokenValiditySeconds).toBe(86400);
      expect(Number.isNaN(Date.parse(c.dateCreated))).toBe(false);
      return c;
    };

    const bff = client(DEMO.clients.bff.id);
    expect(bff).toMatchObject({
      name: "Tenantscope BFF",
      secret: "bff-demo-secret",
      authorizedGrantType: "CLIENT-CREDENTIALS",
      registeredRedirectUri: [],
    });
    const viewerDivisions = bff.roleDivisions.filter((g) => g.roleId === r.directoryViewer).map((g) => g.divisionId);
    expect(viewerDivisions.sort()).toEqual([d.home, d.acme, d.globex, d.initech, d.umbrella, d.wayne].sort());
    expect(bff.roleDivisions).toContainEqual({ roleId: r.integrationAdminReader, divisionId: d.home });
    expect(bff.roleDivisions).toContainEqual({ roleId: r.grantViewer, divisionId: d.home });
    expect(bff.roleDivisions).toHaveLength(8);

    expect(client(DEMO.clients.misconfigured.id)).toMatchObject({
      name: "Tenantscope BFF (misconfigured)",
      secret: "misconfigured-demo-secret",
      authorizedGrantType: "CLIENT-CREDENTIALS",
      roleDivisions: [{ roleId: r.employee, divisionId: d.home }],
    });

    expect(client(DEMO.clients.staffLogin.id)).toMatchObject({
      name: "Tenantscope Staff Login",
      secret: "staff-demo-secret",
      authorizedGrantType: "CODE",
      registeredRedirectUri: ["http://localhost:*/api/auth/callback/genesys", "http://127.0.0.1:*/api/auth/callback/genesys"],
      roleDivisions: [],
    });
  });
});
