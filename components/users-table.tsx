"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from "react";

import type { UserRow } from "@/lib/shared/contract";
import type { SortKey, UserView } from "@/lib/shared/user-view";

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "email", label: "Email" },
  { key: "title", label: "Title" },
  { key: "department", label: "Department" },
  { key: "state", label: "State" },
];
const ROW_HEIGHT = 36;

/**
 * A virtualised, keyboard-navigable grid: only the rows in view are in the DOM (12,000 rows stay smooth).
 * Arrow keys, Page Up/Down, Home and End move the active row; column headers sort. The focusable grid is
 * itself the scroll container (its header row sticks), so the scrollable region is keyboard-reachable.
 */
export function UsersTable({ rows, view, onSort }: { rows: UserRow[]; view: UserView; onSort: (key: SortKey) => void }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const headHeight = useStickyHeadHeight(headRef);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
  });
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));
  const virtualItems = virtualizer.getVirtualItems();

  // Follows the active row when it moves, not whenever the row count changes: while a cold fetch streams rows
  // in, that would pull the view back to the active row under the reader's scrolling.
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (hasRows) virtualizer.scrollToIndex(activeIndex, { align: "auto" });
  }, [activeIndex, hasRows, virtualizer]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 11) - headHeight) / ROW_HEIGHT) - 1);
    const next = rowForKey(e.key, activeIndex, rows.length, page);
    if (next === null) return;
    e.preventDefault();
    setActive(Math.max(0, Math.min(rows.length - 1, next)));
  };

  // Only a rendered row can be the active descendant (an id that is not in the DOM is invalid ARIA).
  const activeRow = virtualItems.some((item) => item.index === activeIndex) ? rows[activeIndex] : undefined;
  return (
    <div
      ref={scrollRef}
      className="grid"
      style={{ height: "min(65vh, 720px)" }}
      data-testid="users-scroll"
      role="grid"
      aria-label="Users; use the arrow keys to move between rows"
      aria-rowcount={rows.length + 1}
      aria-colcount={COLUMNS.length}
      tabIndex={0}
      aria-activedescendant={activeRow ? `row-${activeRow.id}` : undefined}
      onKeyDown={onKeyDown}
    >
      <UsersGridHead headRef={headRef} view={view} onSort={onSort} />
      <div className="grid-body" role="rowgroup">
        {rows.length === 0 ? (
          <p className="muted" style={{ padding: "1rem" }}>
            No users match this view.
          </p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualItems.map((item) => {
              const u = rows[item.index];
              if (!u) return null;
              return <UsersGridRow key={u.id} user={u} index={item.index} start={item.start} headHeight={headHeight} isActive={item.index === activeIndex} onActivate={setActive} />;
            })}
          </div>
        )}
      </div>
    </div>
  );
}

function useStickyHeadHeight(headRef: RefObject<HTMLDivElement | null>): number {
  // The sticky header sits inside the scroll container, above the rows.
  const [headHeight, setHeadHeight] = useState(ROW_HEIGHT);
  useLayoutEffect(() => {
    const h = headRef.current?.offsetHeight;
    if (h) setHeadHeight(h);
  }, [headRef]);
  return headHeight;
}

/** The row a navigation key moves to (not yet clamped to the rows), or null for any other key. */
function rowForKey(key: string, activeIndex: number, rowCount: number, page: number): number | null {
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
  if (key in moves) return activeIndex + (moves[key] ?? 0);
  if (key === "Home") return 0;
  if (key === "End") return rowCount - 1;
  return null;
}

function UsersGridHead({ headRef, view, onSort }: { headRef: RefObject<HTMLDivElement | null>; view: UserView; onSort: (key: SortKey) => void }) {
  return (
    <div ref={headRef} className="grid-head" role="row" aria-rowindex={1}>
      {COLUMNS.map((c) => {
        const sorted = view.sort === c.key;
        return (
          <div key={c.key} role="columnheader" aria-sort={sorted ? (view.desc ? "descending" : "ascending") : "none"}>
            <button type="button" onClick={() => onSort(c.key)}>
              {c.label}
              {sorted ? (view.desc ? " ▼" : " ▲") : ""}
            </button>
          </div>
        );
      })}
    </div>
  );
}

function UsersGridRow({
  user: u,
  index,
  start,
  headHeight,
  isActive,
  onActivate,
}: {
  user: UserRow;
  index: number;
  start: number;
  headHeight: number;
  isActive: boolean;
  onActivate: (index: number) => void;
}) {
  return (
    <div
      id={`row-${u.id}`}
      className="grid-row"
      role="row"
      aria-rowindex={index + 2}
      aria-selected={isActive}
      data-user-id={u.id}
      onClick={() => onActivate(index)}
      style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start - headHeight}px)`, outline: isActive ? "2px solid var(--focus)" : undefined, outlineOffset: -2 }}
    >
      <div role="gridcell" title={u.name}>{u.name}</div>
      <div role="gridcell" title={u.email}>{u.email}</div>
      <div role="gridcell" title={u.title}>{u.title}</div>
      <div role="gridcell" title={u.department}>{u.department}</div>
      <div role="gridcell" className={u.state === "inactive" ? "state-inactive" : undefined}>
        {u.state}
      </div>
    </div>
  );
}
