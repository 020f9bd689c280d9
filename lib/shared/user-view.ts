// The view of a division's users that lives in the URL: text search, state filter and sort. Shared by the
// table in the browser and the CSV route, so that an export holds exactly the rows on screen.

export const SORT_KEYS = ["name", "email", "title", "department", "state"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const STATE_FILTERS = ["any", "active", "inactive"] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export interface UserView {
  q: string;
  state: StateFilter;
  sort: SortKey;
  desc: boolean;
}

export interface ViewRow {
  id: string;
  name: string;
  email: string;
  title: string;
  department: string;
  state: "active" | "inactive";
}

export const DEFAULT_VIEW: UserView = { q: "", state: "any", sort: "name", desc: false };
export const MAX_QUERY_LENGTH = 200;

export type ViewParseResult = { ok: true; view: UserView } | { ok: false; field: string; message: string };

/** Strict parse (API routes): unknown or malformed values are errors, not silently ignored. */
export function parseView(params: URLSearchParams, allowedExtraKeys: readonly string[] = []): ViewParseResult {
  for (const key of params.keys()) {
    if (!["q", "state", "sort", ...allowedExtraKeys].includes(key)) return { ok: false, field: key, message: `Unknown query parameter "${key.slice(0, 40)}".` };
  }
  for (const key of ["q", "state", "sort"]) {
    if (params.getAll(key).length > 1) return { ok: false, field: key, message: `"${key}" may be given once.` };
  }
  const q = (params.get("q") ?? "").trim();
  if (q.length > MAX_QUERY_LENGTH) return { ok: false, field: "q", message: `The search text may be at most ${MAX_QUERY_LENGTH} characters.` };
  const state = params.get("state") || "any";
  if (!(STATE_FILTERS as readonly string[]).includes(state)) return { ok: false, field: "state", message: `state must be one of ${STATE_FILTERS.join(", ")}.` };
  const rawSort = params.get("sort") || "name";
  const desc = rawSort.startsWith("-");
  const sort = desc ? rawSort.slice(1) : rawSort;
  if (!(SORT_KEYS as readonly string[]).includes(sort)) {
    return { ok: false, field: "sort", message: `sort must be one of ${SORT_KEYS.join(", ")}, optionally prefixed with "-" for descending.` };
  }
  return { ok: true, view: { q, state: state as StateFilter, sort: sort as SortKey, desc } };
}

/** Lenient parse (pages): a hand-edited URL falls back to defaults instead of failing. */
export function readView(params: URLSearchParams): UserView {
  const picked = new URLSearchParams();
  for (const key of ["q", "state", "sort"]) {
    const v = params.get(key);
    if (v !== null) picked.set(key, v);
  }
  const result = parseView(picked);
  if (result.ok) return result.view;
  const view = { ...DEFAULT_VIEW };
  const q = (params.get("q") ?? "").trim().slice(0, MAX_QUERY_LENGTH);
  return { ...view, q };
}

/** The query string for a view, leaving defaults out so links stay short. */
export function viewToParams(view: UserView): URLSearchParams {
  const p = new URLSearchParams();
  if (view.q) p.set("q", view.q);
  if (view.state !== "any") p.set("state", view.state);
  if (view.sort !== "name" || view.desc) p.set("sort", `${view.desc ? "-" : ""}${view.sort}`);
  return p;
}

/** Lower case without accents, so that "jose" finds "José" and "MULLER" finds "Müller". */
export function foldText(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

// Folding 12,000 rows on every keystroke would be the slowest part of filtering; each row is folded once.
const searchKeys = new WeakMap<object, string>();

function searchKey(row: ViewRow): string {
  let key = searchKeys.get(row);
  if (key === undefined) {
    key = foldText(`${row.name}\u0000${row.email}\u0000${row.title}\u0000${row.department}`);
    searchKeys.set(row, key);
  }
  return key;
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Sorts rows by the view's column (ties by name, then id, so the order is total). */
export function sortRows<T extends ViewRow>(rows: readonly T[], view: Pick<UserView, "sort" | "desc">): T[] {
  const dir = view.desc ? -1 : 1;
  const key = view.sort;
  const compare = (a: T, b: T) => {
    const c = collator.compare(a[key], b[key]);
    if (c !== 0) return c * dir;
    const n = collator.compare(a.name, b.name);
    if (n !== 0) return n;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  // The BFF sends rows already in the default order: one pass to see it saves a 12,000-row sort (~100 ms of
  // collator comparisons) when a page opens.
  if (inOrder(rows, compare)) return [...rows];
  return [...rows].sort(compare);
}

function inOrder<T>(rows: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1] as T, rows[i] as T) > 0) return false;
  return true;
}

/** Keeps the rows that match the state filter and every whitespace-separated search term; order is kept. */
export function filterRows<T extends ViewRow>(rows: readonly T[], view: Pick<UserView, "q" | "state">): T[] {
  const terms = foldText(view.q).split(/\s+/).filter(Boolean);
  if (terms.length === 0 && view.state === "any") return [...rows];
  return rows.filter((r) => (view.state === "any" || r.state === view.state) && terms.every((t) => searchKey(r).includes(t)));
}

/**
 * The rows of a view, in order. Sorting first then filtering gives the same rows as the other way round;
 * the table keeps the sorted array and re-runs only the (much cheaper) filter on each keystroke.
 */
export function applyView<T extends ViewRow>(rows: readonly T[], view: UserView): T[] {
  return filterRows(sortRows(rows, view), view);
}
