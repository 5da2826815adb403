// `@tessera/store-redis/revocation-source`: what a resource server needs beside @tessera/verify.
// Imports ioredis and nothing of @tessera/core, so an API installs no server-side modules.
export type { RevocationNotice } from "./revocation-message.js";
export {
  type RedisRevocationSourceOptions,
  type RevocationClaims,
  type RevocationSource,
  redisRevocationSource,
} from "./revocation-source.js";
export { RedisUnavailableError } from "./unavailable.js";
