export * from "./actors";
export * from "./ApiClient";
export * from "./ApiError";
export * from "./budget";
export * from "./checks";
export * from "./EventSequencer";
export * from "./LiveConnection";
export * from "./socketUrl";
export type * from "./types";
