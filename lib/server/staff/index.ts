import "server-only";

export * from "./staff-access";
