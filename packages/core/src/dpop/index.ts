export { DpopError, type DpopErrorCode, type DpopFailure, isDpopError } from "./errors.js";
export { normaliseHtu } from "./htu.js";
export { createDpopNonces, type DpopNonces } from "./nonce.js";
export { type DpopReplayCache, replayKey, storeReplayCache } from "./replay.js";
export {
  accessTokenHash,
  DPOP_ALGORITHMS,
  DPOP_WINDOW_MS,
  type DpopAlgorithm,
  type DpopProofInput,
  type VerifiedDpopProof,
  verifyDpopProof,
} from "./verify-proof.js";
