import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { DivisionList } from "@/components/division-list";
import { divisionsQueryOptions } from "@/lib/client/divisions";
import { getQueryClient } from "@/lib/client/query-client";
import { requirePageStaff } from "@/lib/server/auth";
import { toDivisionSummary, visibleDivisions } from "@/lib/server/divisions";

export const metadata: Metadata = { title: "Divisions" };

export default async function HomePage() {
  const staff = await requirePageStaff();
  const divisions = (await visibleDivisions(staff)).map(toDivisionSummary);
  // A manager with exactly one tenant has nothing to choose.
  const [only] = divisions;
  if (!staff.isAdmin && divisions.length === 1 && only?.reachable) redirect(`/divisions/${only.id}`);

  const queryClient = getQueryClient();
  queryClient.setQueryData(divisionsQueryOptions().queryKey, divisions);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <h1>Divisions</h1>
      <DivisionList isAdmin={staff.isAdmin} />
    </HydrationBoundary>
  );
}
