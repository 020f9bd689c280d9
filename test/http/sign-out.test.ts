import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startStack } from "@/scripts/stack";

import { get, signIn, signOut } from "../support/http-session";

// Signing out ends the sign-in itself, not just the browser's cookie: a copy of the cookie taken before
// sign-out stops working too.

let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack({ appPort: 3206 });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe("sign-out", () => {
  it("revokes the session for every copy of its cookie", async () => {
    const { jar } = await signIn(stack.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    expect((await get(`${stack.appUrl}/api/divisions`, copy)).status).toBe(200);

    expect(await signOut(stack.appUrl, jar)).toBeLessThan(400);

    const after = await get(`${stack.appUrl}/api/divisions`, copy);
    expect(after.status).toBe(401);
    const page = await get(`${stack.appUrl}/divisions/${DEMO.divisions.acme}`, copy);
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get("location") ?? "", stack.appUrl).pathname).toBe("/signin");

    // Signing in again works as before.
    const again = await signIn(stack.appUrl, DEMO.staff.ana.email);
    expect((await get(`${stack.appUrl}/api/divisions`, again.jar)).status).toBe(200);
  });
});
