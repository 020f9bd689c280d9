// The admin's view: every division (Stark Retail flagged) and the diagnostics page.
import { expect, expectNoSeriousA11yViolations, groundTruthIds, DIVISIONS, screenshot, test } from "./support";

const ALL_DIVISIONS = ["Acme Insurance", "Globex Telecom", "Home", "Initech Bank", "Stark Retail", "Umbrella Health", "Wayne Logistics"];

test("admin sees every division, with Stark Retail flagged as not reachable", async ({ as }) => {
  const page = await as("admin");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Divisions", level: 1 })).toBeVisible();
  const names = page.locator(".division-list a strong");
  await expect(names).toHaveText(ALL_DIVISIONS);
  await expect(page.getByText(`${ALL_DIVISIONS.length} of ${ALL_DIVISIONS.length}`, { exact: true })).toBeVisible();

  const stark = page.getByRole("link", { name: /Stark Retail/ });
  await expect(stark).toContainText("Not reachable: see Diagnostics");
  // Only Stark is flagged.
  await expect(page.locator(".division-list .badge.bad")).toHaveCount(1);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Divisions", "Access", "Diagnostics", "Audit trail"]);
  await screenshot(page, "home-admin");
  await expectNoSeriousA11yViolations(page, "home (admin)");

  await page.getByLabel("Filter divisions").fill("stark");
  await expect(names).toHaveText(["Stark Retail"]);
});

test("diagnostics names the Stark Retail problem with fix steps and a correlation id", async ({ as }) => {
  const page = await as("admin");
  await page.goto("/diagnostics");
  await expect(page.getByRole("heading", { name: "Diagnostics", level: 1 })).toBeVisible();
  const table = page.locator("table.matrix").filter({ has: page.getByRole("columnheader", { name: "Test" }) });
  await expect(table).toBeVisible({ timeout: 20_000 });

  const stark = table.locator('tr[data-division="Stark Retail"]');
  await expect(stark.locator(".badge")).toHaveText("Problem");
  await expect(stark.locator("ol > li").first()).toBeVisible();
  await expect(stark).toContainText("Stark Retail");
  await expect(stark.getByText(/Correlation id/)).toBeVisible();
  await expect(stark.locator("p", { hasText: "Correlation id" }).locator("code")).toHaveText(/\S{8,}/);
  // Every other division is fine.
  await expect(table.locator("tbody tr .badge.bad")).toHaveCount(1);
  await screenshot(page, "diagnostics");
  await expectNoSeriousA11yViolations(page, "diagnostics");
});

test('"Test Acme Insurance" reports the division\'s users', async ({ as }) => {
  const page = await as("admin");
  await page.goto("/diagnostics");
  const acme = page.locator('tr[data-division="Acme Insurance"]');
  await acme.getByRole("button", { name: "Test Acme Insurance" }).click();
  const truth = await groundTruthIds(DIVISIONS.acme);
  await expect(acme.locator(".badge.ok").last()).toHaveText(new RegExp(`^${truth.length} users, ${truth.length} verified, \\d+ calls in [\\d.]+ s$`), {
    timeout: 20_000,
  });
});

test("managers get a 403 on /diagnostics", async ({ as }) => {
  const page = await as("ben");
  expect((await page.goto("/diagnostics"))?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is for administrators", level: 1 })).toBeVisible();
  const api = await page.request.get("/api/diagnostics");
  expect(api.status()).toBe(403);
});
