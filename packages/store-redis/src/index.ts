export { createRedisClient, type RedisClientOptions } from "./client.js";
export {
  DEFAULT_CHANNEL,
  DEFAULT_KEY,
  DEFAULT_RETENTION_MS,
  publishRevocation,
  type RevocationChannelOptions,
} from "./publish-revocation.js";
export * from "./resource-server.js";
export {
  noticeFromEvent,
  type RevocationRelay,
  type RevocationRelayOptions,
  startRevocationRelay,
} from "./revocation-relay.js";
