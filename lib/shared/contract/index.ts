// The BFF's JSON contract: one zod schema per body the browser reads, shared by the server code that builds
// the bodies (types), the browser code that parses them and the HTTP tests that check them.

export * from "./access";
export * from "./audit";
export * from "./audit-labels";
export * from "./diagnostics";
export * from "./divisions";
export * from "./errors";
export * from "./users";
export * from "./users-wire";
