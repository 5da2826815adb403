// Test utilities for store adapters and the packages built on the core.
export {};
