export { findRedisServer, redisTestsEnabled, startTestRedis, type TestRedis } from "./redis.js";
