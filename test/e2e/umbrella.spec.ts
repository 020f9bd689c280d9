// The ~12,000-user Umbrella Health division: a cold fetch shows real progress, the virtualised grid
// reaches the last row by keyboard and by scrolling, and search stays fast with every row loaded.
// No other spec opens Umbrella, so the first test here is its cold fetch (the server caches divisions).
import { DIVISIONS, expect, expectNoSeriousA11yViolations, figure, groundTruthIds, median, parseCsv, rowCount, screenshot, test } from "./support";

test.describe.configure({ mode: "serial" });

test("cold load shows the progress bar, then the row count; End and scrolling reach the last row", async ({ as }) => {
  test.setTimeout(120_000);
  const truth = await groundTruthIds(DIVISIONS.umbrella);
  expect(truth.length).toBeGreaterThan(10_000);
  const page = await as("admin");

  const started = Date.now();
  await page.goto(`/divisions/${DIVISIONS.umbrella}`);
  const progress = page.getByRole("progressbar");
  await expect(progress).toBeVisible();
  await expect(page.locator("#progress-label")).toHaveText(/Loading users|Checking the directory|Starting/);
  await expect(page.getByRole("grid")).toBeVisible({ timeout: 60_000 });
  figure("Umbrella cold load: navigation → grid, ms", Date.now() - started);
  await expect(progress).toHaveCount(0);
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

test("search over ~12,000 loaded rows renders each keystroke quickly", async ({ as }) => {
  const page = await as("admin");
  const started = Date.now();
  await page.goto(`/divisions/${DIVISIONS.umbrella}`);
  await expect(page.locator("[role=grid] [data-user-id]").first()).toBeVisible({ timeout: 30_000 });
  figure("Umbrella warm load (12k rows, second visit): navigation → rows shown, ms", Date.now() - started);
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
