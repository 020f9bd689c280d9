// A grant removed in Genesys stops access within STAFF_DIVISIONS_REFRESH_SECONDS, without signing out.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { divisionsListSchema } from "@/lib/shared/contract";
import { parseBody } from "@/test/support/bff-bodies";
import type { CookieJar } from "@/test/support/http-session";
import { signIn } from "@/test/support/http-session";
import { errorCode, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const APP_PORT = 3203;
const REFRESH_SECONDS = 2;
const { globex: GLOBEX, initech: INITECH } = DEMO.divisions;

describe("revoking a staff member's grant", () => {
  let stack: Stack;
  let app: string;
  let ben: CookieJar;

  beforeAll(async () => {
    stack = await startHttpStack(APP_PORT, { STAFF_DIVISIONS_REFRESH_SECONDS: String(REFRESH_SECONDS) });
    app = stack.appUrl;
    ben = (await signIn(app, DEMO.staff.ben.email)).jar;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function listedDivisions(): Promise<string[]> {
    const res = await sendText(`${app}/api/divisions`, { jar: ben });
    expect(res.status).toBe(200);
    return parseBody(divisionsListSchema, res.text).divisions.map((d) => d.id).sort();
  }

  test(`Initech is refused within ${REFRESH_SECONDS} s (+ slack) of its grant being removed; Globex still works`, async () => {
    expect((await sendText(`${app}/api/divisions/${INITECH}`, { jar: ben })).status).toBe(200);
    expect((await sendText(`${app}/api/divisions/${INITECH}/users`, { jar: ben })).status).toBe(200);
    expect(await listedDivisions()).toEqual([GLOBEX, INITECH].sort());

    const put = await fetch(`${stack.emulator.url}/__emulator/users/${DEMO.staff.ben.id}/grants`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grants: [{ roleId: DEMO.roles.directoryViewer, divisionId: GLOBEX }] }),
    });
    expect(put.status).toBe(200);
    const revokedAt = Date.now();

    // Poll until the app has re-read Ben's divisions; it must within the refresh window plus a second of slack.
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < (REFRESH_SECONDS + 1) * 1000) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await sendText(`${app}/api/divisions/${INITECH}/users`, { jar: ben })).status;
    }
    const tookMs = Date.now() - revokedAt;
    expect(status, `still ${status} after ${tookMs} ms`).toBe(403);
    expect(tookMs).toBeLessThanOrEqual((REFRESH_SECONDS + 1) * 1000);

    for (const path of [`/api/divisions/${INITECH}`, `/api/divisions/${INITECH}/users`, `/api/divisions/${INITECH}/users.csv`]) {
      const res = await sendText(`${app}${path}`, { jar: ben });
      expect(`${res.status} ${errorCode(res.text)}`, path).toBe("403 forbidden");
      // Neither the cached users of Initech nor any of their addresses leak through the refusal.
      expect(res.text, path).not.toContain("initech-bank.northwind.example");
    }
    expect(await listedDivisions()).toEqual([GLOBEX]);
    expect((await sendText(`${app}/api/divisions/${GLOBEX}/users`, { jar: ben })).status).toBe(200);
    expect((await sendText(`${app}/api/divisions/${GLOBEX}/users.csv`, { jar: ben })).status).toBe(200);
  });

  test("granting it back restores access within the same window", async () => {
    await fetch(`${stack.emulator.url}/__emulator/users/${DEMO.staff.ben.id}/grants`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grants: [
          { roleId: DEMO.roles.directoryViewer, divisionId: GLOBEX },
          { roleId: DEMO.roles.directoryViewer, divisionId: INITECH },
        ],
      }),
    });
    const grantedAt = Date.now();
    let status = 403;
    while (status !== 200 && Date.now() - grantedAt < (REFRESH_SECONDS + 1) * 1000) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await sendText(`${app}/api/divisions/${INITECH}`, { jar: ben })).status;
    }
    expect(status).toBe(200);
    expect(await listedDivisions()).toEqual([GLOBEX, INITECH].sort());
  });
});
