import { describe, expect, it } from "vitest";

import { applyView, DEFAULT_VIEW, sortRows, type ViewRow } from "@/lib/shared/user-view";

function row(id: string, name: string, extra: Partial<ViewRow> = {}): ViewRow {
  return { id, name, email: `${id}@x.example`, title: "Agent", department: "Claims", state: "active", ...extra };
}

const ROWS = [row("c", "Émile"), row("a", "zoë"), row("b", "Adam"), row("d", "adam"), row("e", "Bea", { title: "Lead", state: "inactive" })];

describe("sortRows", () => {
  it("orders by the column, accent- and case-insensitively, ties by name then id", () => {
    expect(sortRows(ROWS, { sort: "name", desc: false }).map((r) => r.id)).toEqual(["b", "d", "e", "c", "a"]);
    expect(sortRows(ROWS, { sort: "name", desc: true }).map((r) => r.id)).toEqual(["a", "c", "e", "b", "d"]);
    expect(sortRows(ROWS, { sort: "title", desc: false }).map((r) => r.id)).toEqual(["b", "d", "c", "a", "e"]);
  });

  it("gives rows already in order back as a new array in that order, and sorts anything else", () => {
    const sorted = sortRows(ROWS, DEFAULT_VIEW);
    const again = sortRows(sorted, DEFAULT_VIEW);
    expect(again).not.toBe(sorted);
    expect(again).toEqual(sorted);
    // One row out of place anywhere, even last, is noticed.
    const nearly = [...sorted.slice(0, -1), row("0", "Aaron")];
    expect(sortRows(nearly, DEFAULT_VIEW)[0]?.id).toBe("0");
  });

  it("applyView filters the sorted rows by state and every search term", () => {
    expect(applyView(ROWS, { ...DEFAULT_VIEW, q: "ADAM claims" }).map((r) => r.id)).toEqual(["b", "d"]);
    expect(applyView(ROWS, { ...DEFAULT_VIEW, state: "inactive" }).map((r) => r.id)).toEqual(["e"]);
    expect(applyView(ROWS, { ...DEFAULT_VIEW, q: "emile" }).map((r) => r.id)).toEqual(["c"]);
  });
});
