import "server-only";

export * from "./query";
export * from "./record";
export * from "./store";
export * from "./trail";
