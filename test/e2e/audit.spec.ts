// The audit trail page: admins filter who saw what (the filters live in the URL), download it as CSV and
// check its integrity; managers get a 403 panel.
import { expect, expectNoSeriousA11yViolations, DEMO, DIVISIONS, openDivision, readDownload, screenshot, test } from "./support";

test("admin finds a manager's view of their division, filters by person and division, and downloads the CSV", async ({ as }) => {
  // Something to find: Ana opens her tenant, Ben his.
  const ana = await as("ana");
  await openDivision(ana, DIVISIONS.acme);
  await expect(ana.locator(".grid-row").first()).toBeVisible();
  const ben = await as("ben");
  await openDivision(ben, DIVISIONS.globex);
  await expect(ben.locator(".grid-row").first()).toBeVisible();

  const page = await as("admin");
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit trail", level: 1 })).toBeVisible();
  const rows = page.locator("table.audit-table tbody tr");
  await expect(rows.first()).toBeVisible();

  await page.getByLabel("Person", { exact: true }).fill("ana.manager");
  await page.getByLabel("Division", { exact: true }).selectOption({ label: "Acme Insurance" });
  await page.getByLabel("Action", { exact: true }).selectOption({ label: "Viewed division" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/person=ana\.manager/);
  await expect(page).toHaveURL(new RegExp(`division=${DIVISIONS.acme}`));
  await expect(rows.first()).toContainText(DEMO.staff.ana.email);
  await expect(rows.first()).toContainText("Acme Insurance");
  await expect(rows.first()).toContainText("clean");
  const shown = await rows.count();
  for (let i = 0; i < shown; i++) await expect(rows.nth(i)).toContainText(DEMO.staff.ana.email);
  // The filters survive a reload (they are the URL), and the form shows them.
  await page.reload();
  await expect(page.getByLabel("Person", { exact: true })).toHaveValue("ana.manager");
  await expect(rows).toHaveCount(shown);
  await screenshot(page, "audit-filtered");
  await expectNoSeriousA11yViolations(page, "audit trail");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = await readDownload(download);
  expect(csv.fileName).toMatch(/^tenantscope-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.records.length).toBe(shown);
  expect(csv.records.every((r) => r.actorEmail === DEMO.staff.ana.email && r.divisionId === DIVISIONS.acme && r.action === "division.view")).toBe(true);

  await page.getByRole("button", { name: "Check integrity" }).click();
  await expect(page.getByText(/^Intact: [\d,]+ events, hash chain unbroken$/)).toBeVisible();

  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel("Person", { exact: true })).toHaveValue("");
});

test("a malformed filter in a shared link is named, and the trail shown unfiltered", async ({ as }) => {
  const page = await as("admin");
  await page.goto("/audit?from=2026-02-31");
  await expect(page.locator(".banner.bad")).toContainText("from must be a date written YYYY-MM-DD");
  await expect(page.locator("table.audit-table tbody tr").first()).toBeVisible();
});

test("managers get a 403 on /audit, and no audit link", async ({ as }) => {
  const page = await as("ben");
  expect((await page.goto("/audit"))?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is for administrators", level: 1 })).toBeVisible();
  await expect(page.locator("table.audit-table")).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit trail" })).toHaveCount(0);
  expect((await page.request.get("/api/audit")).status()).toBe(403);
  expect((await page.request.get("/api/audit.csv")).status()).toBe(403);
});
