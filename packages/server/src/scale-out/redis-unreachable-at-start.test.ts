import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// Redis is never required to serve: an instance whose Redis does not answer at start still starts
// (after at most the 2 s wait), logs users in, and counts its rate limits in its own memory.
describe("Redis unreachable at start", () => {
  let server: TestServer;

  beforeAll(async () => {
    // Port 1 on loopback: nobody listens, every connection attempt is refused.
    server = await startTestServer({
      TESSERA_REDIS_URL: "redis://127.0.0.1:1",
      TESSERA_RATE_LIMIT_LOGIN: "2/15m",
      TESSERA_RATE_LIMIT_IP: "100/1m",
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves logins and still refuses failed logins past the budget", async () => {
    const email = uniqueEmail("no-redis");
    expect(
      (await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } })).status,
    ).toBe(201);
    const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    expect((await server.call("POST", "/auth/logout-all", { bearer: login.body.access_token })).status).toBe(
      204,
    );

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await server.call("POST", "/auth/login", { json: { email, password: `wrong ${i}` } })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});
