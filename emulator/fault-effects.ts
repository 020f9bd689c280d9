// What the data faults do to the org and to search: a search index that stops following the directory,
// users of other divisions leaking into a division's results, and users moving while a client pages.
import type { MoveDuringPagingFault, LeakFault } from "./faults";
import type { Random } from "./prng";
import { divisionFilter, type SearchRequest } from "./search";
import type { EmulatorState, IndexedUser } from "./state";

/** The index stops following the directory; then users move out of every populated custom division. */
export function startStaleIndex(state: EmulatorState, count: number): void {
  state.indexFrozen = true;
  const custom = state.org.divisions.filter((d) => !d.homeDivision);
  custom.forEach((d, i) => {
    const target = custom[(i + 1) % custom.length];
    if (!target) return;
    for (const id of state.memberIds(d.id, ["active"]).slice(0, count)) state.moveUser(id, target.id);
  });
}

/** The index follows the directory again, catching up on every move made meanwhile. */
export function endStaleIndex(state: EmulatorState): void {
  state.indexFrozen = false;
  for (const u of state.users.values()) state.reindex(u);
}

export function leakedUsers(state: EmulatorState, leak: LeakFault | null, query: SearchRequest["query"]): IndexedUser[] {
  const wanted = divisionFilter(query);
  if (!leak || wanted.length === 0) return [];
  const out: IndexedUser[] = [];
  // Deterministic choice: the same foreign users leak into every page of a query, as a bad index would.
  for (const u of state.index.values()) {
    if (!wanted.includes(u.divisionId) && u.state === "active") out.push(u);
    if (out.length >= leak.count) break;
  }
  return out;
}

/** Moves users in and out of the searched division before a later page; returns the moves done so far. */
export function moveDuringPaging(state: EmulatorState, fault: MoveDuringPagingFault | null, req: SearchRequest, random: Random, movesDone: number): number {
  const [divisionId] = divisionFilter(req.query);
  if (!fault || !divisionId) return movesDone;
  const others = state.org.divisions.filter((d) => d.id !== divisionId);
  let done = movesDone;
  for (let i = 0; i < fault.perRequest && done < fault.maxMoves; i++, done++) {
    const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(random() * xs.length)];
    const other = pick(others);
    if (!other) return done;
    // Alternate: a member leaves (later pages shift up), then an outsider joins (earlier pages shift down).
    const leaving = done % 2 === 0;
    const from = leaving ? divisionId : other.id;
    const to = leaving ? other.id : divisionId;
    const id = pick(state.memberIds(from, ["active"]));
    if (id) state.moveUser(id, to);
  }
  return done;
}
