export { createRedisClient, type RedisClientOptions } from "./client.js";
export {
  DEFAULT_CHANNEL,
  DEFAULT_KEY,
  DEFAULT_RETENTION_MS,
  publishRevocation,
  type RevocationChannelOptions,
} from "./publish-revocation.js";
export type { RevocationNotice } from "./revocation-message.js";
export {
  noticeFromEvent,
  type RevocationRelay,
  type RevocationRelayOptions,
  startRevocationRelay,
} from "./revocation-relay.js";
export {
  type RedisRevocationSourceOptions,
  type RevocationClaims,
  type RevocationSource,
  redisRevocationSource,
} from "./revocation-source.js";
export { RedisUnavailableError } from "./unavailable.js";
