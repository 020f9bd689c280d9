import "server-only";

import { timingSafeEqual } from "node:crypto";

import { AppError } from "@/lib/server/platform";

/** A machine caller (a metrics scraper): `Authorization: Bearer <expected>`, compared in constant time, or 401. */
export function requireBearer(req: Request, expected: string, what: string): void {
  const given = Buffer.from(/^bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "");
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new AppError("unauthenticated", `A valid ${what} bearer token is required.`);
}
