export { type Algorithm, DEFAULT_ALGORITHMS } from "./algorithms.js";
export { DPOP_ALGORITHMS } from "./dpop-proof.js";
export { type DpopReplayCache, memoryReplayCache } from "./dpop-replay.js";
export { isVerifyError, VERIFY_ERROR_CODES, VerifyError, type VerifyErrorCode } from "./errors.js";
export {
  type AuthFailure,
  authFailure,
  bearerToken,
  type Credentials,
  credentials,
  hasScopes,
  insufficientScope,
} from "./http-auth.js";
export type { JwksEvent } from "./jwks.js";
export type { RejectedKey } from "./key-set.js";
export { errorResponse, isPreflight, requireScopes, verifyRequest } from "./request.js";
export { hasRoles, insufficientRole, requireRoles } from "./require.js";
export {
  type HttpRevocationOptions,
  type HttpRevocationSource,
  httpRevocationSource,
} from "./revocation-http.js";
export type {
  AccessClaims,
  DpopOptions,
  JsonWebKeyInput,
  RequestCredentials,
  RevocationSource,
  Verifier,
  VerifierClock,
  VerifierOptions,
} from "./types.js";
export { createVerifier } from "./verifier.js";
