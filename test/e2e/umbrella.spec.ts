// The ~12,000-user Umbrella Health division: a cold fetch shows real progress and its verified rows as they
// arrive (the table filters them while the rest loads), the virtualised grid reaches the last row by keyboard
// and by scrolling, and search stays fast with every row loaded.
// No other spec opens Umbrella, so the first test here is its cold fetch (the server caches divisions).
import type { Page } from "@playwright/test";

import { DIVISIONS, expect, expectNoSeriousA11yViolations, figure, groundTruthIds, median, parseCsv, rowCount, screenshot, test } from "./support";

interface FirstRows {
  /** ms since navigation start (performance.now()) when the grid first held a row. */
  at: number;
  /** The loading banner's text at that moment (null: the list was already complete). */
  banner: string | null;
  /** Rows in the grid then, and whether each contained the search text given to watchFirstRows. */
  rendered: number;
  matching: boolean;
}

/** Notes, in the page, when the grid first holds a row, what the loading banner said and what the rows were. */
async function watchFirstRows(page: Page, search = ""): Promise<void> {
  await page.addInitScript((q) => {
    const observer = new MutationObserver(() => {
      const rows = [...document.querySelectorAll("[role=grid] [data-user-id]")];
      if (rows.length === 0) return;
      const banner = document.querySelector("[data-testid=loading-verified]")?.textContent ?? null;
      const matching = rows.every((r) => (r.textContent ?? "").toLowerCase().includes(q));
      Object.assign(window, { firstRows: { at: performance.now(), banner, rendered: rows.length, matching } });
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  }, search);
}

/** Opens the (warm) Umbrella page; ms from navigation start to its first row, on the page's clock. */
async function visitUmbrella(page: Page): Promise<number> {
  await page.goto(`/divisions/${DIVISIONS.umbrella}`, { waitUntil: "commit" });
  const handle = await page.waitForFunction(() => (window as { firstRows?: { at: number } }).firstRows?.at ?? null, undefined, { timeout: 30_000 });
  return Math.round((await handle.jsonValue()) as number);
}

test.describe.configure({ mode: "serial" });
// These specs measure the page: Playwright's trace recorder (DOM snapshots and screenshots of every step) would
// be measured with it (the warm re-open here: median 766 ms traced, 670 ms not). A failure still leaves its screenshot.
test.use({ trace: "off" });

test("cold load shows the progress bar and verified rows as they arrive, filterable, then the row count; End and scrolling reach the last row", async ({ as }) => {
  test.setTimeout(120_000);
  const truth = await groundTruthIds(DIVISIONS.umbrella);
  expect(truth.length).toBeGreaterThan(10_000);
  const page = await as("admin");
  // Opened with a search in its address (the view lives in the URL): the first rows shown, while the rest is
  // still being read, are already filtered, so the table is seen to work on a partial list without racing it.
  await watchFirstRows(page, "senior");
  // The org's undocumented behaviours are probed once per process (genesys/capabilities.ts), on first need: the
  // admin's diagnostics run does it here, so that the figure is that of any cold division, not of the first
  // fetch after the server started (which waits ~0.6 s more for the probes).
  expect((await page.request.get("/api/diagnostics")).status()).toBe(200);

  const started = Date.now();
  await page.goto(`/divisions/${DIVISIONS.umbrella}?q=senior`);
  const progress = page.getByRole("progressbar");
  await expect(progress).toBeVisible();
  await expect(page.locator("#progress-label")).toHaveText(/Loading users|Checking the directory|Starting/);

  // The first verified rows, while the rest is still being read: counted from the navigation's start.
  const first = (await (await page.waitForFunction(() => (window as { firstRows?: unknown }).firstRows ?? null, undefined, { timeout: 60_000 })).jsonValue()) as FirstRows;
  figure("Umbrella cold load: navigation → first verified rows shown, ms", Math.round(first.at));
  const members = new Intl.NumberFormat("en").format(truth.length);
  expect(first.banner).toMatch(new RegExp(`^Loading — [\\d,]+ of ${members} verified$`));
  // The table was usable meanwhile: the search in the address narrowed the rows received so far.
  expect(first.rendered).toBeGreaterThan(0);
  expect(first.matching, "every first row matches the search").toBe(true);
  await page.getByLabel("Search").fill("");

  await expect(progress).toHaveCount(0, { timeout: 60_000 });
  figure("Umbrella cold load: navigation → complete verified list, ms", Date.now() - started);
  await expect(page.getByTestId("loading-verified")).toHaveCount(0);
  // Where the time to the first rows goes: the page before it asks for the users, then the BFF's fetch.
  const asked = await page.evaluate((id) => performance.getEntriesByType("resource").find((e) => e.name.includes(`/api/divisions/${id}/users`))?.startTime ?? null, DIVISIONS.umbrella);
  expect(asked).not.toBeNull();
  figure("Umbrella cold load: navigation → users request sent, ms", Math.round(asked ?? 0));
  figure("Umbrella cold load: users request sent → first verified rows shown, ms", Math.round(first.at - (asked ?? 0)));
  const { shown, total } = await rowCount(page);
  expect(total).toBe(truth.length);
  expect(shown).toBe(truth.length);
  await expect(page.getByTestId("verified")).toHaveText(/^(\d[\d,]*) of \1 users verified in Umbrella Health$/);
  await screenshot(page, "umbrella-loaded");

  // The server's view of the same (default) sort: its last row is the grid's last row.
  const csv = await page.request.get(`/api/divisions/${DIVISIONS.umbrella}/users.csv`);
  expect(csv.status()).toBe(200);
  const ids = parseCsv(await csv.text())
    .slice(1)
    .map((cells) => cells[0] ?? "");
  expect(ids).toHaveLength(truth.length);
  const firstId = ids[0] ?? "";
  const lastId = ids[ids.length - 1] ?? "";

  const grid = page.getByRole("grid");
  const rowById = (id: string) => page.locator(`[role=grid] [data-user-id="${id}"]`);
  await expect(rowById(lastId)).toHaveCount(0); // virtualised: not in the DOM yet
  await grid.focus();
  await page.keyboard.press("End");
  await expect(rowById(lastId)).toBeInViewport();
  await expect(rowById(lastId)).toHaveAttribute("aria-selected", "true");
  await expect(grid).toHaveAttribute("aria-activedescendant", `row-${lastId}`);
  await expect(rowById(lastId)).toHaveAttribute("aria-rowindex", String(truth.length + 1));
  await screenshot(page, "umbrella-end");

  await page.keyboard.press("Home");
  await expect(rowById(firstId)).toBeInViewport();
  await expect(rowById(lastId)).toHaveCount(0);

  // Scrolling (the wheel, as a mouse user would) reaches the end too.
  const body = page.getByTestId("users-scroll");
  await body.hover();
  for (let i = 0; i < 50 && (await rowById(lastId).count()) === 0; i++) await page.mouse.wheel(0, 200_000);
  await expect(rowById(lastId)).toBeInViewport();
  await expectNoSeriousA11yViolations(page, "division (admin, Umbrella, 12k rows)");
});

test("a warm Umbrella re-opened in the same browser shows its rows quickly; search over ~12,000 loaded rows renders each keystroke quickly", async ({ as }) => {
  const page = await as("admin");
  await watchFirstRows(page);
  // A browser's first visit compiles the app's JavaScript; a person re-opening the page has it cached. The
  // users are downloaded again on each visit (tenant data is never stored by the browser), as the bytes the
  // server compressed once. Both are measured on the page's clock, navigation start → the grid's first row.
  const firstVisit = await visitUmbrella(page);
  figure("Umbrella warm load, first visit of a new browser context: navigation → rows shown (page clock), ms", firstVisit);
  const revisits: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto("/");
    revisits.push(await visitUmbrella(page));
  }
  figure("Umbrella warm load, re-opened in the same browser: navigation → rows shown (page clock), ms", `median ${median(revisits)} (${revisits.join(", ")})`);
  // The benchmark is 400 ms on a quiet machine; CI shares two cores with the server and the emulator.
  expect(median(revisits)).toBeLessThan(2_000);
  const { total } = await rowCount(page);
  expect(total).toBeGreaterThan(10_000);

  await page.evaluate(() => performance.clearMeasures("search-to-render"));
  const search = page.getByLabel("Search");
  await search.click();
  const typed = "senior ag"; // 9 keystrokes
  await search.pressSequentially(typed, { delay: 120 });
  await expect(search).toHaveValue(typed);
  await expect(page).toHaveURL(/[?&]q=senior\+ag(&|$)/);
  const { shown } = await rowCount(page);
  expect(shown).toBeLessThan(total);

  const durations = await page.evaluate(() => performance.getEntriesByName("search-to-render").map((e) => e.duration));
  expect(durations.length).toBeGreaterThanOrEqual(5);
  const med = median(durations);
  figure("search-to-render over Umbrella (12k rows): keystrokes measured", durations.length);
  figure("search-to-render median, ms", Number(med.toFixed(1)));
  figure("search-to-render max, ms", Number(Math.max(...durations).toFixed(1)));
  expect(med).toBeLessThanOrEqual(150);
});
