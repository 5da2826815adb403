import { afterEach, describe, expect, it } from "vitest";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Logs in with Firefox, then refreshes with `refreshAgent` (`""`: no User-Agent at all). */
async function loginThenRefreshFromAnotherBrowser(mode: string, refreshAgent = CHROME) {
  server = await startTestServer({ TESSERA_REFRESH_CONTEXT: mode });
  const email = uniqueEmail();
  await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  const jar = new CookieJar();
  const login = await server.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD },
    jar,
    headers: { "user-agent": FIREFOX },
  });
  const csrf = login.body.csrf_token as string;
  const refresh = await server.call("POST", "/auth/refresh", {
    jar,
    headers: { "x-csrf-token": csrf, "user-agent": refreshAgent },
  });
  const audit = await server.store.listAudit({ userId: login.body.user.id, limit: 1000 });
  return { refresh, jar, csrf, types: audit.map((e) => e.type), access: login.body.access_token as string };
}

describe("TESSERA_REFRESH_CONTEXT over HTTP", () => {
  it("strict: a refresh from another browser family is 401 context_mismatch and the family dies", async () => {
    const { refresh, jar, csrf, types, access } = await loginThenRefreshFromAnotherBrowser("strict");
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe("context_mismatch");
    expect(types).toContain("refresh.context_mismatch");
    const again = await server?.call("POST", "/auth/refresh", {
      jar,
      headers: { "x-csrf-token": csrf, "user-agent": FIREFOX },
    });
    expect(again?.status).toBe(401);
    expect((await server?.call("GET", "/auth/me", { bearer: access }))?.status).toBe(401);
  });

  it("audit: the same refresh works and is audited", async () => {
    const { refresh, types } = await loginThenRefreshFromAnotherBrowser("audit");
    expect(refresh.status).toBe(200);
    expect(types).toContain("refresh.context_changed");
  });

  it("off: the refresh works and nothing is recorded about the context", async () => {
    const { refresh, types } = await loginThenRefreshFromAnotherBrowser("off");
    expect(refresh.status).toBe(200);
    expect(types).not.toContain("refresh.context_changed");
    expect(types).not.toContain("refresh.context_mismatch");
  });

  // Regression (issue 14.10): strict mode was bypassed by sending no User-Agent on the refresh.
  it("strict: a refresh without the User-Agent the login had is a change (401 context_mismatch)", async () => {
    const { refresh } = await loginThenRefreshFromAnotherBrowser("strict", "");
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe("context_mismatch");
  });
});
