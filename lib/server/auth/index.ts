import "server-only";

export * from "./admin-request";
export * from "./auth-options";
export * from "./session-revocations";
export * from "./session";
export * from "./sign-in-errors";
