import "server-only";

export * from "./health";
export * from "./run";
