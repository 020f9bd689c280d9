// Who sees what: a single-tenant manager, a two-tenant manager, another tenant's division (403) and
// unknown ids (404).
import { allRows, DIVISIONS, expect, expectNoSeriousA11yViolations, groundTruthIds, screenshot, test } from "./support";

test("ana (one division) is sent straight to Acme and sees only Acme's users", async ({ as }) => {
  const page = await as("ana");
  await page.goto("/");
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}`);
  await expect(page.getByRole("heading", { name: "Acme Insurance", level: 1 })).toBeVisible();
  await expect(page.getByTestId("verified")).toHaveText(/^(\d[\d,]*) of \1 users verified in Acme Insurance$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Divisions"]);

  const divisions = await page.request.get("/api/divisions");
  expect(divisions.status()).toBe(200);
  const body = (await divisions.json()) as { divisions: { name: string }[] };
  expect(body.divisions.map((d) => d.name)).toEqual(["Acme Insurance"]);

  const truth = await groundTruthIds(DIVISIONS.acme);
  const rows = await allRows(page);
  expect(rows.map((r) => r.id).sort()).toEqual([...truth].sort());
  await screenshot(page, "division-ana");
  await expectNoSeriousA11yViolations(page, "division (ana, Acme)");
});

test("ana following a Globex link gets a 403 that does not name Globex, and not Globex's users", async ({ as }) => {
  const page = await as("ana");
  const response = await page.goto(`/divisions/${DIVISIONS.globex}`);
  expect(response?.status()).toBe(403);
  const panel = page.getByRole("alert").filter({ hasText: "403 · No access" });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("heading", { level: 1 })).toHaveText("You can't view this division");
  await expect(page.getByText("Globex")).toHaveCount(0);
  await expect(panel).toContainText("Directory > User > View");
  await expect(page.getByRole("grid")).toHaveCount(0);
  await expect(page.locator("[data-user-id]")).toHaveCount(0);

  const api = await page.request.get(`/api/divisions/${DIVISIONS.globex}/users`);
  expect(api.status()).toBe(403);
  const csv = await page.request.get(`/api/divisions/${DIVISIONS.globex}/users.csv`);
  expect(csv.status()).toBe(403);
  await screenshot(page, "403-ana");
  await expectNoSeriousA11yViolations(page, "403 (ana → Globex)");
});

test("an unknown division: a manager gets the same 403 as for another tenant's; an admin and a malformed id get the 404 page", async ({ as }) => {
  const page = await as("ana");
  const unknown = "00000000-0000-4000-8000-000000000000";
  expect((await page.goto(`/divisions/${unknown}`))?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You can't view this division");
  expect((await page.request.get(`/api/divisions/${unknown}/users`)).status()).toBe(403);

  expect((await page.goto("/divisions/not-a-division-id"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no such page or division", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to your divisions" })).toBeVisible();
  await expect(page.locator(`meta[name="robots"][content*="noindex"]`).first()).toBeAttached();
  await expect(page.getByRole("main")).toHaveCount(1);
  await screenshot(page, "404");
  await expectNoSeriousA11yViolations(page, "404 (malformed division id)");

  const admin = await as("admin");
  expect((await admin.goto(`/divisions/${unknown}`))?.status()).toBe(404);
  await expect(admin.getByRole("heading", { name: "There is no such page or division", level: 1 })).toBeVisible();
  expect((await admin.request.get(`/api/divisions/${unknown}/users`)).status()).toBe(404);

  const unknownPage = await page.goto("/no-such-page");
  expect(unknownPage?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no such page or division", level: 1 })).toBeVisible();
  await expect(page.getByRole("main")).toHaveCount(1);
  await expectNoSeriousA11yViolations(page, "404 (unknown page)");
});

test("ben (two divisions) sees Globex and Initech on the home page", async ({ as }) => {
  const page = await as("ben");
  await page.goto("/");
  await expect(page).toHaveURL("/");
  const links = page.locator(".division-list a");
  await expect(links.locator("strong")).toHaveText(["Globex Telecom", "Initech Bank"]);
  await expect(page.getByText("2 of 2", { exact: true })).toBeVisible();

  await page.getByLabel("Filter divisions").fill("glob");
  await expect(links.locator("strong")).toHaveText(["Globex Telecom"]);
  await expect(page.getByText("1 of 2", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: /Globex Telecom/ }).click();
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.globex}`);
  await expect(page.getByTestId("verified")).toHaveText(/^(\d[\d,]*) of \1 users verified in Globex Telecom$/);
});

test("admin opening Stark Retail (no grant for Tenantscope's client) gets fix steps and a correlation id", async ({ as }) => {
  const page = await as("admin");
  expect((await page.goto(`/divisions/${DIVISIONS.stark}`))?.status()).toBe(403);
  const panel = page.getByRole("alert").filter({ hasText: "403 · No access" });
  await expect(panel.getByRole("heading", { level: 1 })).toHaveText("You can't view Stark Retail");
  await expect(panel).toContainText("directory:user:view");
  await expect(panel.locator("ol > li")).toHaveCount(3);
  await expect(panel.getByText(/Genesys correlation id/)).toBeVisible();
  await expect(panel.locator("p", { hasText: "Genesys correlation id" }).locator("code")).toHaveText(/\S{8,}/);
});
