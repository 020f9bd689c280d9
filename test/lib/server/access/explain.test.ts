import { describe, expect, it } from "vitest";

import { fixOf, verdictOf } from "@/lib/server/access/explain";
import { accessReviewCsv } from "@/lib/server/access/export";
import { grantsIn } from "@/lib/server/access/people";
import { adminBy, tenantscopeDecision } from "@/lib/server/access/tenantscope";
import type { Role, Subject } from "@/lib/server/genesys";
import type { AuthEnv } from "@/lib/server/platform";
import type { AccessDivisionViewers } from "@/lib/shared/contract";

const viewer: Role = { id: "r-viewer", name: "Directory Viewer", permissions: ["directory:user:view"] };
const wide: Role = { id: "r-wide", name: "Supervisor", permissions: ["directory:*:*", "routing:queue:view"] };
const employee: Role = { id: "r-emp", name: "Employee", permissions: ["user:profile:view"] };
const roles = new Map([viewer, wide, employee].map((r) => [r.id, r]));
const ana = { id: "u-ana", name: "Ana Manager", email: "ana@x.example" };
const grant = (roleId: string, divisionId?: string): Subject["grants"][number] => ({ role: { id: roleId }, ...(divisionId ? { division: { id: divisionId } } : {}) });
const auth = { adminEmails: ["admin@x.example"], adminUserIds: ["u-boss"], adminPermission: "tenantscope:admin:view", divisionsRefreshSeconds: 120 } as unknown as AuthEnv;

describe("grantsIn", () => {
  it("finds the roles that grant directory:user:view in the division, wildcards and all-division grants included", () => {
    const grants = [grant(viewer.id, "d-acme"), grant(wide.id, "*"), grant(employee.id, "d-globex")];
    expect(grantsIn(grants, roles, "d-acme")).toEqual([
      { roleId: viewer.id, roleName: "Directory Viewer", scope: "division" },
      { roleId: wide.id, roleName: "Supervisor", scope: "all" },
    ]);
    expect(grantsIn(grants, roles, "d-globex")).toEqual([{ roleId: wide.id, roleName: "Supervisor", scope: "all" }]);
    expect(grantsIn([grant(employee.id, "d-acme"), grant("r-deleted", "d-acme")], roles, "d-acme")).toEqual([]);
  });
});

describe("verdict and fix", () => {
  it("says why in one sentence", () => {
    expect(verdictOf(ana, "Globex Telecom", [], false)).toBe("Ana Manager cannot view Globex Telecom: none of their roles grants Directory > User > View in Globex Telecom.");
    expect(verdictOf(ana, "Acme", [{ roleId: viewer.id, roleName: "Directory Viewer", scope: "division" }], false)).toBe(
      "Ana Manager can view Acme: their Directory Viewer role grants Directory > User > View in Acme.",
    );
    expect(verdictOf(ana, "Stark", [], true)).toMatch(/^Ana Manager can view Stark in Tenantscope as an administrator, although/);
  });

  it("widens a viewer grant they hold, else gives the narrowest viewer role, else says to create one", () => {
    expect(fixOf(ana, "Globex Telecom", [grant(viewer.id, "d-acme")], roles, 120)[0]).toMatch(/^Add Globex Telecom to the divisions of their Directory Viewer grant/);
    expect(fixOf(ana, "Globex Telecom", [grant(employee.id, "d-home")], roles, 120)[0]).toMatch(/^Give them the Directory Viewer role in Globex Telecom/);
    expect(fixOf(ana, "Globex Telecom", [], new Map([[employee.id, employee]]), 120)[0]).toMatch(/^Create a role with Directory > User > View/);
    expect(fixOf(ana, "Globex Telecom", [], roles, 120)[1]).toContain("(120 s)");
  });
});

describe("what Tenantscope decides", () => {
  it("names how someone is an admin, and when their grants are read again", () => {
    expect(adminBy(auth, { ...ana, email: "ADMIN@x.example" }, [], roles)).toEqual(["email"]);
    expect(adminBy(auth, { ...ana, id: "u-boss" }, [], roles)).toEqual(["userId"]);
    const holder = new Map([["r-ts", { id: "r-ts", name: "TS admin", permissions: ["tenantscope:admin:*"] }]]);
    expect(adminBy(auth, ana, [grant("r-ts", "d-home")], holder)).toEqual(["permission"]);
    const cached = tenantscopeDecision(auth, ana, [], Date.parse("2026-12-02T09:00:00Z"));
    expect(cached).toMatchObject({ isAdmin: false, lastReadAt: "2026-12-02T09:00:00.000Z", nextReadAfter: "2026-12-02T09:02:00.000Z", refreshSeconds: 120 });
    expect(cached.sentences[0]).toContain("as a manager");
    expect(tenantscopeDecision(auth, ana, ["email"], null)).toMatchObject({ isAdmin: true, lastReadAt: null, nextReadAfter: null });
  });
});

describe("access review CSV", () => {
  it("neutralises formulas in every name", async () => {
    const body: AccessDivisionViewers = {
      division: { id: "d-1", name: "=cmd|' /C calc'!A0", readableByTenantscope: true },
      viewers: [{ subjectId: "u-1", name: "@SUM(1+1)", email: "+1@x.example", type: "user", roleId: "r", roleName: '=HYPERLINK("http://evil.example")', scope: "division" }],
      admins: [{ email: "-admin@x.example", by: "email" }],
      readAt: "2026-12-02T09:00:00.000Z",
    };
    let ended: [number, string] | null = null;
    const csv = accessReviewCsv(body, (rows, how) => (ended = [rows, how]));
    const text = await new Response(csv.stream).text();
    expect(csv.fileName).toBe("access-review-cmd-c-calc-a0-2026-12-02.csv");
    const lines = text.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`'=cmd|' /C calc'!A0,d-1,'@SUM(1+1),'+1@x.example,Person,u-1,"Role: =HYPERLINK(""http://evil.example"")",'=cmd|' /C calc'!A0`);
    expect(lines[2]).toContain("'-admin@x.example");
    expect(ended).toEqual([2, "complete"]);
  });
});
