"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { ApiError } from "@/lib/client/api";
import { useRefreshDivision } from "@/lib/client/division-users";
import { readView, viewToParams, type UserView } from "@/lib/shared/user-view";

const SEARCH_DEBOUNCE_MS = 250;

export interface DivisionRefresh {
  refreshing: boolean;
  refreshError: string | null;
  onRefresh: () => Promise<void>;
}

export function useDivisionRefresh(divisionId: string): DivisionRefresh {
  const refresh = useRefreshDivision(divisionId);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);

  const onRefresh = async () => {
    setRefreshing(true);
    setRefreshError(null);
    try {
      await refresh();
    } catch (e) {
      setRefreshError(e instanceof ApiError ? e.message : "Refresh failed.");
    } finally {
      setRefreshing(false);
    }
  };
  return { refreshing, refreshError, onRefresh };
}

export interface UrlUserView {
  /** The view as the URL holds it: its search may lag the box by the debounce. */
  urlView: UserView;
  q: string;
  setQ: (q: string) => void;
  /** The URL's view with the search box's current text. */
  view: UserView;
  replaceView: (next: UserView) => void;
}

export function useUrlUserView(): UrlUserView {
  // The view lives in the URL so that a copied link reproduces it. The search box answers at once from
  // local state; the URL follows after a short pause.
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const urlView = useMemo(() => readView(new URLSearchParams(searchParams.toString())), [searchParams]);
  const [q, setQ] = useState(urlView.q);
  const view: UserView = { ...urlView, q };
  const replaceView = useCallback(
    (next: UserView) => {
      const qs = viewToParams(next).toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [pathname, router],
  );
  useEffect(() => {
    if (q === urlView.q) return;
    const t = setTimeout(() => replaceView({ ...urlView, q }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q, urlView, replaceView]);
  return { urlView, q, setQ, view, replaceView };
}

/**
 * Performance marks: keystroke → table committed (read by the browser tests). Call the returned function
 * on each keystroke; the measure is taken when `rows` next commits.
 */
export function useSearchToRenderMeasure(rows: unknown): () => void {
  const typedAt = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (typedAt.current === null) return;
    performance.measure("search-to-render", { start: typedAt.current, end: performance.now() });
    typedAt.current = null;
  }, [rows]);
  return () => {
    typedAt.current = performance.now();
  };
}
