import "next-auth";
import "next-auth/jwt";

import type { StaffToken } from "@/lib/server/staff";

// What our sessions carry. The JWT (encrypted, httpOnly cookie) holds the staff member's Genesys tokens;
// the client-visible session holds only who they are and their role.
declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      name: string;
      email: string;
      isAdmin: boolean;
      role: "admin" | "manager";
    };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** One id per sign-in (sign-out revokes it). */
    sid?: string;
    /** When that sign-in happened (epoch seconds): the session ends SESSION_MAX_AGE_SECONDS later. */
    signedInAt?: number;
    /** The staff member's Genesys identity and tokens (never sent to the browser). */
    genesys?: StaffToken;
  }
}
