// Prints the one line CI reads ("N passed, N failed") from the JSON reports the test runners wrote.
// A step that failed without writing a report (lint, typecheck, a crashed runner) counts as one failure.
import fs from "node:fs";

const [, , exitCode = "0"] = process.argv;
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

for (const file of ["test-results/vitest.json", "test-results/vitest-http.json"]) {
  const vitest = read(file);
  if (!vitest) continue;
  reports++;
  passed += vitest.numPassedTests ?? 0;
  failed += (vitest.numFailedTests ?? 0) + (vitest.numFailedTestSuites ?? 0);
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const playwright = read("test-results/playwright.json");
if (playwright?.stats) {
  reports++;
  passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0);
  failed += playwright.stats.unexpected ?? 0;
  skipped += playwright.stats.skipped ?? 0;
}
if (exitCode !== "0" && failed === 0) failed = 1;
if (reports === 0 && exitCode === "0") failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
