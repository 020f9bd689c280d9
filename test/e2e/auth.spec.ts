// Sign-in through the emulator's real login page, deep links that survive sign-in, sign-out, and the
// explained empty state for an account without any division.
import { stackUrls } from "./env";
import { allRows, DEMO, DIVISIONS, expect, expectNoSeriousA11yViolations, parseCsv, screenshot, signIn, test } from "./support";

test("the sign-in page is accessible and leads through Genesys Cloud to the dashboard", async ({ page }) => {
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with Genesys Cloud" })).toBeEnabled();
  await screenshot(page, "signin");
  await expectNoSeriousA11yViolations(page, "signin");

  await signIn(page, "admin");
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { name: "Divisions", level: 1 })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(DEMO.staff.admin.email);
});

test("a signed-out deep link with filters lands on the same filtered view after sign-in", async ({ page }) => {
  const deepLink = `/divisions/${DIVISIONS.acme}?q=agent&state=active&sort=-name`;
  await page.goto(deepLink);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(deepLink);

  await signIn(page, "ana", { startAt: page.url() });
  await expect(page).toHaveURL(deepLink);
  await expect(page.getByLabel("Search")).toHaveValue("agent");
  await expect(page.getByLabel("State")).toHaveValue("active");
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");

  // The rows are the server's rows for the same view (the CSV route applies the same filter and sort).
  const expected = await page.request.get(`/api/divisions/${DIVISIONS.acme}/users.csv?q=agent&state=active&sort=-name`);
  expect(expected.status()).toBe(200);
  const expectedIds = parseCsv(await expected.text())
    .slice(1)
    .map((cells) => cells[0]);
  const rows = await allRows(page);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.map((r) => r.id)).toEqual(expectedIds);
  for (const r of rows) {
    expect(r.state).toBe("active");
    expect(`${r.name} ${r.email} ${r.title} ${r.department}`.toLowerCase()).toContain("agent");
  }
});

test("sign-out ends the session, also for a copy of its cookie", async ({ page, browser }) => {
  // A session of its own: signing out revokes the sign-in, so the shared per-account session must not be used.
  await signIn(page, "ben");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Divisions", level: 1 })).toBeVisible();
  const copy = await browser.newContext({ baseURL: stackUrls().app, storageState: await page.context().storageState() });
  try {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole("button", { name: "Sign in with Genesys Cloud" })).toBeVisible();

    await page.goto("/");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2F$/);
    expect((await page.request.get("/api/divisions")).status()).toBe(401);

    // The same session cookie kept elsewhere no longer works either.
    const other = await copy.newPage();
    await other.goto(`/divisions/${DIVISIONS.globex}`);
    await expect(other).toHaveURL(/\/signin\?error=SessionExpired&callbackUrl=/);
    expect(new URL(other.url()).searchParams.get("callbackUrl")).toBe(`/divisions/${DIVISIONS.globex}`);
    expect((await other.request.get("/api/divisions")).status()).toBe(401);
  } finally {
    await copy.close();
  }
});

test("an account without any division sees an explained empty state", async ({ as }) => {
  const page = await as("noAccess");
  await page.goto("/");
  await expect(page).toHaveURL("/");
  const empty = page.getByRole("status").filter({ hasText: "No divisions to show" });
  await expect(empty).toBeVisible();
  await expect(empty).toContainText("Directory > User > View");
  await expect(empty).toContainText("Ask your Genesys Cloud administrator");
  await expect(page.getByLabel("Filter divisions")).toHaveCount(0);
  await screenshot(page, "no-access-empty");
  await expectNoSeriousA11yViolations(page, "home (no access)");
});
