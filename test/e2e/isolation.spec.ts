// Tenant isolation under a leaking search index: with the emulator's leak fault on before a division is
// first fetched, search results carry users of other divisions; none may reach the table or the CSV.
// Initech Bank is fetched by no other spec, so its first fetch happens here (the server caches divisions).
import { allRows, DIVISIONS, exportCsv, expect, figure, groundTruthIds, openDivision, setFaults, test } from "./support";

test("with the leak fault on, no foreign user appears in Initech's table or CSV", async ({ as }) => {
  test.setTimeout(120_000);
  const truth = new Set(await groundTruthIds(DIVISIONS.initech));
  expect(truth.size).toBeGreaterThan(1_000);
  await setFaults({ leak: true });
  try {
    const page = await as("ben");
    await page.setViewportSize({ width: 1280, height: 1110 }); // the tallest grid: fewer scroll steps to read
    await openDivision(page, DIVISIONS.initech);
    // The manager is told, in neutral words, that rows were left out: proof the fault reached the app.
    await expect(page.getByRole("status").filter({ hasText: "did not belong to this division were left out" })).toBeVisible();

    const rows = await allRows(page);
    const foreignRows = rows.filter((r) => !truth.has(r.id));
    expect(foreignRows, "foreign users in the table").toEqual([]);
    expect(rows.length).toBe(truth.size);

    const csv = await exportCsv(page);
    const foreignCsv = csv.records.filter((r) => !truth.has(r.id ?? ""));
    expect(foreignCsv, "foreign users in the CSV").toEqual([]);
    expect(csv.records.length).toBe(truth.size);
    expect(new Set(csv.records.map((r) => r.divisionId))).toEqual(new Set([DIVISIONS.initech]));
    figure("isolation (Initech, leak on): rows in table / CSV / ground truth", `${rows.length} / ${csv.records.length} / ${truth.size}`);
  } finally {
    await setFaults({ leak: false });
  }
});
