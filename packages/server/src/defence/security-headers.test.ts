import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  APP_ORIGIN,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type HeaderBag = { get(name: string): string | null };

function expectSecurityHeaders(headers: HeaderBag, label: string, production = false): void {
  expect(headers.get("x-content-type-options"), label).toBe("nosniff");
  expect(headers.get("x-frame-options"), label).toBe("DENY");
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp.split(/;\s*/), label).toEqual(
    expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]),
  );
  expect(headers.get("referrer-policy"), label).toBe("no-referrer");
  expect(headers.get("cross-origin-resource-policy"), label).toBe("same-origin");
  if (production) {
    expect(headers.get("strict-transport-security"), label).toBe("max-age=31536000; includeSubDomains");
  } else {
    expect(headers.get("strict-transport-security"), label).toBeNull();
  }
}

/** One request of every kind of route and answer the server has. */
async function sampleEveryRouteKind(s: TestServer): Promise<Array<[string, number, HeaderBag]>> {
  const email = uniqueEmail("headers");
  const basic = `Basic ${Buffer.from(`${RESOURCE_ID}:${RESOURCE_SECRET}`).toString("base64")}`;
  const register = await s.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  const jar = new CookieJar();
  const login = await s.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, jar });
  const bearer = login.body.access_token as string;
  const answers: Array<[string, Awaited<ReturnType<TestServer["call"]>>]> = [
    ["register 201", register],
    ["login 200", login],
    ["login 401", await s.call("POST", "/auth/login", { json: { email, password: "wrong password 123" } })],
    ["me 200", await s.call("GET", "/auth/me", { bearer })],
    ["me 401", await s.call("GET", "/auth/me")],
    ["sessions 200", await s.call("GET", "/auth/sessions", { bearer })],
    ["refresh 401", await s.call("POST", "/auth/refresh")],
    [
      "refresh csrf 403",
      await s.call("POST", "/auth/refresh", { jar, headers: { "x-csrf-token": "wrong-csrf" } }),
    ],
    ["unknown 404", await s.call("GET", "/no/such/route")],
    ["method 405", await s.call("PUT", "/auth/login", { json: {} })],
    [
      "bad json 400",
      await s.call("POST", "/auth/login", { body: "{", headers: { "content-type": "application/json" } }),
    ],
    [
      "media 415",
      await s.call("POST", "/auth/login", { body: "x", headers: { "content-type": "text/html" } }),
    ],
    ["too large 413", await s.call("POST", "/auth/login", { json: { email, password: "x".repeat(40_000) } })],
    ["token in query 400", await s.call("GET", `/auth/me?access_token=${"a".repeat(20)}`)],
    ["oauth token 400", await s.call("POST", "/oauth/token", { form: { grant_type: "password" } })],
    ["oauth revoke 200", await s.call("POST", "/oauth/revoke", { form: { token: "not-a-real-token" } })],
    [
      "introspect 200",
      await s.call("POST", "/oauth/introspect", {
        form: { token: bearer },
        headers: { authorization: basic },
      }),
    ],
    ["introspect 401", await s.call("POST", "/oauth/introspect", { form: { token: bearer } })],
    ["revocations 200", await s.call("GET", "/oauth/revocations", { headers: { authorization: basic } })],
    ["jwks 200", await s.call("GET", "/.well-known/jwks.json")],
    ["metadata 200", await s.call("GET", "/.well-known/oauth-authorization-server")],
    ["healthz 200", await s.call("GET", "/healthz")],
    ["readyz 200", await s.call("GET", "/readyz")],
    ["metrics 200", await s.call("GET", "/metrics")],
    [
      "preflight 204",
      await s.call("OPTIONS", "/auth/refresh", {
        headers: { origin: APP_ORIGIN, "access-control-request-method": "POST" },
      }),
    ],
  ];
  return answers.map(([label, res]) => [label, res.status, res.headers]);
}

describe("security headers on every answer", () => {
  it("every route kind, success and error, carries them (no HSTS outside production)", async () => {
    server = await startTestServer();
    const answers = await sampleEveryRouteKind(server);
    // The sample really covers the statuses it names.
    expect(answers.map(([label, status]) => `${label}:${status}`)).toEqual(
      answers.map(([label]) => `${label}:${label.split(" ").at(-1)}`),
    );
    for (const [label, , headers] of answers) expectSecurityHeaders(headers, label);
  });

  it("a rate-limited 429 carries them", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_IP: "2/1m" });
    let last = await server.call("GET", "/auth/me");
    for (let i = 0; i < 3 && last.status !== 429; i++) last = await server.call("GET", "/auth/me");
    expect(last.status).toBe(429);
    expectSecurityHeaders(last.headers, "429");
  });

  it("in production (behind a trusted proxy) every answer also carries HSTS", async () => {
    server = await startTestServer({
      NODE_ENV: "production",
      TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
      TESSERA_TRUST_PROXY: "loopback",
    });
    for (const [label, , headers] of await sampleEveryRouteKind(server)) {
      expectSecurityHeaders(headers, label, true);
    }
  });

  it("a request Node's HTTP parser refuses still gets them", async () => {
    server = await startTestServer();
    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        // Content-Length and Transfer-Encoding together: request-smuggling framing.
        socket.write(
          "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        );
      });
      let text = "";
      socket.on("data", (c: Buffer) => {
        text += c.toString();
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    const [head = ""] = raw.split("\r\n\r\n");
    const [statusLine, ...lines] = head.split("\r\n");
    expect(statusLine).toMatch(/^HTTP\/1\.1 400 /);
    const headers = new Map(
      lines.map((line) => [
        line.slice(0, line.indexOf(":")).toLowerCase(),
        line.slice(line.indexOf(":") + 1).trim(),
      ]),
    );
    expectSecurityHeaders({ get: (name) => headers.get(name) ?? null }, "parser 400");
  });
});
