// Test utilities for store adapters and the packages built on the core.
export * from "./conformance.js";
export { makeSession, makeToken, makeUser } from "./conformance-fixtures.js";
export { createTestHasher } from "./hasher.js";
export { type LegacyHashSet, legacyHashesOf } from "./legacy-hashes.js";
