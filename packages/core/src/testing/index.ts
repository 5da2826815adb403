// Test utilities for store adapters and the packages built on the core.
export * from "./conformance.js";
export { makeSession, makeToken, makeUser } from "./conformance-fixtures.js";
export { createTestHasher } from "./hasher.js";
export {
  LEGACY_HASH_KINDS,
  type LegacyHashKind,
  type LegacyHashSet,
  legacyHashesOf,
  legacyHashOf,
} from "./legacy-hashes.js";
