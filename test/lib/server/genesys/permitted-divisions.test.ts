// Where the BFF's client holds a permission: Genesys' divisionspermitted answer, or, where the org answers that
// only for user tokens (the permittedDivisionsUserOnly knob), the client's own roles — against the emulator.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import type { GenesysClient } from "@/lib/server/genesys/client";
import { divisionsWithPermission, roleGrants } from "@/lib/server/genesys/permitted-divisions";
import { AppError } from "@/lib/server/platform/errors";

import { emulatorClient } from "../../../support/bff-client";
import { emulatorForFile } from "../../../support/emulator-fixture";

const VIEW = "directory:user:view";
const { home, acme, globex, initech, umbrella, wayne } = DEMO.divisions;
const BFF_DIVISIONS = [home, acme, globex, initech, umbrella, wayne].sort();

const env = emulatorForFile();

function client(credentials: { id: string; secret: string } = DEMO.clients.bff): GenesysClient {
  return emulatorClient(env.emu.url, { GENESYS_CLIENT_ID: credentials.id, GENESYS_CLIENT_SECRET: credentials.secret });
}

const idsOf = (r: { divisions: { id: string }[] }) => r.divisions.map((d) => d.id).sort();

describe("divisionsWithPermission", () => {
  it("asks divisionspermitted where Genesys answers client tokens", async () => {
    const c = client();
    const r = await divisionsWithPermission(c, VIEW);
    expect(r).toMatchObject({ all: false, source: "divisionspermitted" });
    expect(idsOf(r)).toEqual(BFF_DIVISIONS);
    expect(r.divisions.find((d) => d.id === acme)?.name).toBe("Acme Insurance");
    expect(r.correlationId).toMatch(/\S{8,}/);
    expect(c.stats.calls.getTokensMe).toBeUndefined();
  });

  it("works the same divisions out from the client's roles where Genesys answers only user tokens", async () => {
    await env.setFaults({ permittedDivisionsUserOnly: true });
    const c = client();
    const r = await divisionsWithPermission(c, VIEW);
    expect(r).toMatchObject({ all: false, source: "roles" });
    expect(idsOf(r)).toEqual(BFF_DIVISIONS);
    expect(c.stats.calls.getAuthorizationDivisionspermittedPagedMe?.[400]).toBe(1);
    expect(c.stats.calls.getTokensMe?.[200]).toBe(1);
    // A permission the client holds nowhere: no division.
    expect(idsOf(await divisionsWithPermission(c, "routing:queue:edit"))).toEqual([]);
    // Its Integration Admin Reader role is granted in Home only.
    expect(idsOf(await divisionsWithPermission(c, "authorization:role:view"))).toEqual([home]);
  });

  it("names the capability and the permission to add when the roles cannot be read either", async () => {
    await env.setFaults({ permittedDivisionsUserOnly: true });
    let caught: unknown;
    try {
      await divisionsWithPermission(client(DEMO.clients.misconfigured), VIEW);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    const e = caught as AppError;
    expect(e.code).toBe("upstream_forbidden");
    expect(e.details).toMatchObject({ permission: "authorization:role:view", capability: "permittedDivisions" });
    expect(e.message).toContain("permittedDivisions");
    expect(e.message).toContain("authorization:role:view");
  });

  it("passes other failures through unchanged (a rejected login is no user-context refusal)", async () => {
    const c = client({ id: DEMO.clients.bff.id, secret: "not-the-secret" });
    await expect(divisionsWithPermission(c, VIEW)).rejects.toMatchObject({ name: "UpstreamError", status: 401 });
    expect(c.stats.calls.getTokensMe).toBeUndefined();
  });
});

describe("roleGrants", () => {
  it("matches exact permissions and * in any part", () => {
    expect(roleGrants({ permissions: ["directory:user:view"] }, VIEW)).toBe(true);
    expect(roleGrants({ permissions: ["directory:*:view"] }, VIEW)).toBe(true);
    expect(roleGrants({ permissions: ["*:*:*"] }, VIEW)).toBe(true);
    expect(roleGrants({ permissions: ["directory:user:edit", "directory:user"] }, VIEW)).toBe(false);
    expect(roleGrants({ permissions: [] }, VIEW)).toBe(false);
  });
});
