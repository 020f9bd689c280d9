// The division view's state lives in the URL: search, state filter and sort change URL and rows; the URL
// reproduces the view in a fresh page; "Export CSV" holds exactly the rows on screen.
import { allRows, DIVISIONS, exportCsv, expect, figure, median, openDivision, rowCount, test, unguard, type GridRow } from "./support";

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

function expectOrdered(rows: GridRow[], key: keyof GridRow, desc = false): void {
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1];
    const cur = rows[i];
    if (!prev || !cur) continue;
    const c = collator.compare(prev[key], cur[key]) * (desc ? -1 : 1);
    expect(c, `row ${i}: "${prev[key]}" then "${cur[key]}" (${key}${desc ? " desc" : ""})`).toBeLessThanOrEqual(0);
  }
}

function expectCsvMatchesRows(csv: Awaited<ReturnType<typeof exportCsv>>, rows: GridRow[]): void {
  expect(csv.header.slice(0, 2)).toEqual(["id", "name"]);
  expect(csv.records.map((r) => r.id)).toEqual(rows.map((r) => r.id));
  expect(csv.records.map((r) => unguard(r.name ?? ""))).toEqual(rows.map((r) => r.name));
  expect(csv.records.map((r) => r.state)).toEqual(rows.map((r) => r.state));
}

test("search, state filter and sort change the URL and the rows; the URL reproduces the view", async ({ as }) => {
  const page = await as("ana");
  await openDivision(page, DIVISIONS.acme);
  const all = await allRows(page);
  expect(all.length).toBeGreaterThan(20);
  expectOrdered(all, "name");

  // Search: the URL follows the box after a short pause.
  await page.getByLabel("Search").fill("agent");
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}?q=agent`);
  const searched = await allRows(page);
  expect(searched.length).toBeGreaterThan(0);
  expect(searched.length).toBeLessThan(all.length);
  for (const r of searched) expect(`${r.name} ${r.email} ${r.title} ${r.department}`.toLowerCase()).toContain("agent");

  // State filter.
  await page.getByLabel("State").selectOption("inactive");
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}?q=agent&state=inactive`);
  const inactive = await allRows(page);
  for (const r of inactive) expect(r.state).toBe("inactive");
  await page.getByLabel("State").selectOption("active");
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}?q=agent&state=active`);
  const active = await allRows(page);
  expect(active.length + inactive.length).toBe(searched.length);
  for (const r of active) expect(r.state).toBe("active");

  // Sort: Name toggles to descending, another column sorts ascending.
  await page.getByRole("button", { name: /^Name/ }).click();
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}?q=agent&state=active&sort=-name`);
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
  const byNameDesc = await allRows(page);
  expectOrdered(byNameDesc, "name", true);
  expect(byNameDesc.map((r) => r.id).sort()).toEqual(active.map((r) => r.id).sort());

  await page.getByRole("button", { name: /^Title/ }).click();
  await expect(page).toHaveURL(`/divisions/${DIVISIONS.acme}?q=agent&state=active&sort=title`);
  const byTitle = await allRows(page);
  expectOrdered(byTitle, "title");

  // The copied link: Copy link puts the current URL on the clipboard; opening it in a fresh page
  // reproduces the same rows in the same order.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByRole("button", { name: "Link copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(page.url());

  const fresh = await as("ana");
  await fresh.goto(copied);
  await expect(fresh.getByLabel("Search")).toHaveValue("agent");
  await expect(fresh.getByLabel("State")).toHaveValue("active");
  await expect(fresh.getByRole("columnheader", { name: /Title/ })).toHaveAttribute("aria-sort", "ascending");
  expect((await allRows(fresh)).map((r) => r.id)).toEqual(byTitle.map((r) => r.id));
});

test("Export CSV holds exactly the rows on screen (filtered and full views)", async ({ as }) => {
  const page = await as("ana");
  await openDivision(page, DIVISIONS.acme, "?q=agent&state=active&sort=-name");
  const filteredRows = await allRows(page);
  const filtered = await exportCsv(page);
  expect(filtered.fileName).toMatch(/^acme-insurance-users-filtered-\d{4}-\d{2}-\d{2}\.csv$/);
  expectCsvMatchesRows(filtered, filteredRows);

  // The whole division, including the users whose names start with a spreadsheet formula character.
  await openDivision(page, DIVISIONS.acme);
  const rows = await allRows(page);
  const full = await exportCsv(page);
  expect(full.fileName).toMatch(/^acme-insurance-users-\d{4}-\d{2}-\d{2}\.csv$/);
  expectCsvMatchesRows(full, rows);
  expect(full.records.filter((r) => (r.name ?? "").startsWith("'")).length, "formula-guarded names").toBeGreaterThan(0);
  for (const r of full.records) expect(r.divisionId).toBe(DIVISIONS.acme);
});

test("a warm division view (second visit) is interactive quickly (target: 1 s from navigation)", async ({ as }) => {
  const page = await as("ben");
  await openDivision(page, DIVISIONS.globex); // first visit: fills the server's cache
  const { total } = await rowCount(page);

  // Three warm visits (full page loads); the median is asserted, so one slow moment on a busy machine
  // does not fail the suite.
  const rowsShown: number[] = [];
  const answered: number[] = [];
  for (let visit = 0; visit < 3; visit++) {
    await page.goto("/");
    const started = Date.now();
    await page.goto(`/divisions/${DIVISIONS.globex}`, { waitUntil: "commit" });
    // Measured in the page: its clock starts at the navigation, and the rows only render once React has
    // hydrated and the users have arrived, so the view answers input from then on.
    const shown = await page.waitForFunction(() => (document.querySelector("[role=grid] [data-user-id]") ? performance.now() : 0), undefined, {
      polling: "raf",
    });
    rowsShown.push(Math.round(Number(await shown.jsonValue())));
    await page.getByLabel("Search").fill("zz-no-such-user");
    await expect(page.getByTestId("row-count")).toHaveText(`0 of ${total.toLocaleString("en")} users`);
    answered.push(Date.now() - started);
  }
  figure("warm view (Globex, 2nd+ visits): navigation start → rows shown (page clock), ms", `median ${median(rowsShown)} (${rowsShown.join(", ")})`);
  figure("warm view (Globex, 2nd+ visits): goto → a search answered, incl. test round trips (test clock), ms", `median ${median(answered)} (${answered.join(", ")})`);
  // The target is 1 s (about 0.6 s on a quiet machine). Asserted loosely: on a busy 2-vCPU CI machine the
  // same page takes ~1 s, and the figure above is what the closing note reports.
  expect(median(rowsShown)).toBeLessThanOrEqual(1_500);
  expect(median(answered)).toBeLessThanOrEqual(3_000);
});

test("Refresh refetches the division from Genesys with a same-origin POST", async ({ as }) => {
  // Globex: Initech must stay cold for the isolation project (it fetches it with the leak fault on).
  const page = await as("ben");
  await openDivision(page, DIVISIONS.globex);
  const refresh = page.waitForRequest((r) => r.url().endsWith(`/api/divisions/${DIVISIONS.globex}/users`) && r.method() === "POST");
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/divisions/${DIVISIONS.globex}/users`) && r.request().method() === "POST");
  await page.getByRole("button", { name: "Refresh" }).click();
  const request = await refresh;
  // The browser states where the request comes from; the BFF accepts only its own origin.
  expect(await request.headerValue("origin")).toBe(new URL(page.url()).origin);
  expect((await answered).status()).toBe(200);
  await expect(page.getByRole("button", { name: "Refresh" })).toBeEnabled();
  await expect(page.locator(".banner.warn")).toHaveCount(0);
});
