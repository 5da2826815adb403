// Test utilities for store adapters and the packages built on the core.
export * from "./conformance.js";
export { createTestHasher } from "./hasher.js";
