export type { FetchLike } from "./auth-api.js";
export { type AuthState, type ClientOptions, createClient, type TesseraClient } from "./client.js";
export { type ClientOnlyErrorCode, TesseraClientError, type TesseraClientErrorCode } from "./errors.js";
export type { User } from "./session.js";
