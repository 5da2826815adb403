export type * from "./api.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export { isTesseraError, TesseraError, type TesseraErrorCode } from "./errors.js";
export type * from "./store.js";
