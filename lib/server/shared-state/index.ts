import "server-only";

export * from "./lock";
export * from "./store";
