/** The confidential client node-oidc-provider is configured with in the peers benchmark. */
export const CLIENT_ID = "bench-client";
export const CLIENT_SECRET = "bench-client-secret-that-is-long-enough-0123456789";
