// The access explorer: Ben is refused Umbrella and copies a link for his administrator; the link is refused
// to him, survives the admin's sign-in, and opens on the verdict and the fix. Then who can see a tenant, its
// CSV, the search, axe, and the screenshots in docs/. Nothing here fetches a division's users (the gate and
// /access decide from grants and the division directory), so Umbrella and Initech stay cold.
import fs from "node:fs";
import path from "node:path";

import { ROOT } from "./env";
import { DEMO, DIVISIONS, expect, expectNoSeriousA11yViolations, readDownload, signIn, test, unguard } from "./support";

const BEN = DEMO.staff.ben;
const DOCS = path.join(ROOT, "docs");

test("ben is refused Umbrella, copies the admin link; the admin opens it (through sign-in) and sees the verdict and the fix", async ({ as, browser }) => {
  const ben = await as("ben");
  await ben.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  expect((await ben.goto(`/divisions/${DIVISIONS.umbrella}`))?.status()).toBe(403);
  await expect(ben.getByText("Umbrella")).toHaveCount(0);
  await ben.getByRole("button", { name: "Copy a link for your administrator" }).click();
  const shown = ben.getByTestId("admin-link");
  const origin = new URL(ben.url()).origin;
  const link = `${origin}/access?person=${BEN.id}&division=${DIVISIONS.umbrella}`;
  await expect(shown).toHaveText(link);
  await expect(ben.getByRole("status")).toHaveText("Link copied:");
  expect(await ben.evaluate(() => navigator.clipboard.readText())).toBe(link);

  // For anyone but an admin the link is refused like any admin page.
  expect((await ben.goto(link))?.status()).toBe(403);
  await expect(ben.getByRole("heading", { name: "This page is for administrators" })).toBeVisible();

  // A signed-out admin: the link survives the sign-in.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, "admin", { startAt: link });
    await expect(page).toHaveURL(link);
    const verdict = page.getByTestId("access-verdict");
    await expect(verdict.getByRole("heading", { level: 2 })).toHaveText(
      "Ben Manager cannot view Umbrella Health: none of their roles grants Directory > User > View in Umbrella Health.",
    );
    await expect(page.getByTestId("access-fix").locator("li").first()).toHaveText(/^Add Umbrella Health to the divisions of their Directory Viewer grant/);
    await expect(verdict).toContainText("Tenantscope treats Ben Manager as a manager");
    await expect(verdict).toContainText("STAFF_DIVISIONS_REFRESH_SECONDS");
    // Ben's own divisions, with the role that gives each.
    const rows = page.locator("table.matrix tbody tr");
    await expect(rows).toHaveCount(7);
    await expect(rows.filter({ hasText: "Globex Telecom" })).toContainText("Directory Viewer in Globex Telecom");
    await expectNoSeriousA11yViolations(page, "/access (person + division)");
    await page.screenshot({ path: path.join(DOCS, "screenshot-access-person.png"), fullPage: true });
  } finally {
    await context.close();
  }
});

test("who can see a tenant: the grants, the admins, and the CSV for the client's access review", async ({ as }) => {
  const page = await as("admin");
  await page.goto(`/access?division=${DIVISIONS.globex}`);
  await expect(page.getByRole("heading", { name: "Who can see Globex Telecom", level: 2 })).toBeVisible();
  const rows = page.locator("table.matrix tbody tr");
  await expect(rows.filter({ hasText: "Ben Manager" })).toContainText("Directory Viewer");
  await expect(rows.filter({ hasText: "Avery Admin" })).toContainText("Directory Viewer");
  await expect(rows.filter({ hasText: "Ana Manager" })).toHaveCount(0);
  await expect(page.getByText(`${DEMO.staff.admin.email} (TENANTSCOPE_ADMIN_EMAILS)`)).toBeVisible();
  await expectNoSeriousA11yViolations(page, "/access (division)");
  fs.mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, "screenshot-access-division.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = await readDownload(download);
  expect(csv.fileName).toMatch(/^access-review-globex-telecom-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.header).toEqual(["Division", "Division id", "Name", "Email", "Subject type", "Subject id", "Access through", "Granted in"]);
  const ben = csv.records.find((r) => r["Subject id"] === BEN.id);
  expect(ben).toMatchObject({ Name: "Ben Manager", Email: BEN.email, "Access through": "Role: Directory Viewer", "Granted in": "Globex Telecom" });
  for (const r of csv.records) for (const cell of Object.values(r)) expect(unguard(cell)).toBe(cell);

  // From a viewer to that person's explanation.
  await rows.filter({ hasText: "Ben Manager" }).getByRole("button", { name: "Ben Manager" }).click();
  await expect(page.getByTestId("access-verdict").getByRole("heading", { level: 2 })).toHaveText(/^Ben Manager can view Globex Telecom: their Directory Viewer role grants/);
});

test("search finds a person by name and shows every division with the granting role", async ({ as }) => {
  const page = await as("admin");
  await page.goto("/access");
  await expect(page.getByRole("heading", { name: "Access explorer", level: 1 })).toBeVisible();
  await page.getByLabel("Name or email").fill("ana.man");
  await page.getByRole("button", { name: "Ana Manager" }).click();
  await expect(page).toHaveURL(/\/access\?person=30d49392-e98c-4cb9-a135-130362f6a956$/);
  const rows = page.locator("table.matrix tbody tr");
  await expect(rows.first()).toContainText("Acme Insurance");
  await expect(rows.first()).toContainText("Directory Viewer in Acme Insurance");
  await expect(rows.filter({ hasText: "Stark Retail" })).toContainText("cannot read");
  await rows.filter({ hasText: "Globex Telecom" }).getByRole("button", { name: "Explain Globex Telecom" }).click();
  await expect(page.getByTestId("access-verdict").getByRole("heading", { level: 2 })).toHaveText(
    "Ana Manager cannot view Globex Telecom: none of their roles grants Directory > User > View in Globex Telecom.",
  );
  await expectNoSeriousA11yViolations(page, "/access (search)");
});
