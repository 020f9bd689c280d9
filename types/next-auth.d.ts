import "next-auth";
import "next-auth/jwt";

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
    genesys?: {
      userId: string;
      email: string;
      name: string;
      accessToken: string;
      refreshToken?: string;
      /** Epoch ms. */
      accessTokenExpiresAt: number;
    };
  }
}
