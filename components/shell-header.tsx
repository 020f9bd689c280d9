"use client";

import { useQuery } from "@tanstack/react-query";

import { currentStaffQueryOptions } from "@/lib/client/divisions";

import { AppHeader } from "./app-header";

/** The header of the prerendered division shell: the person comes from /api/me. */
export function ShellHeader() {
  const { data } = useQuery(currentStaffQueryOptions());
  return <AppHeader staff={data ?? null} />;
}
