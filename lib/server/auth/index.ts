import "server-only";

export * from "./auth-options";
export * from "./bearer";
export * from "./session";
export * from "./session-endpoint";
export * from "./session-revocations";
export * from "./sign-in-errors";
export * from "./page-access";
