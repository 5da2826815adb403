export {
  findRedisServer,
  freePort,
  launchRedisServer,
  redisTestsEnabled,
  startTestRedis,
  type TestRedis,
} from "./redis.js";
