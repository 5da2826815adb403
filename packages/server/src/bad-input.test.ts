import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_TABLE } from "./http/error-table.js";
import { REFRESH_COOKIE } from "./http/refresh-cookie.js";
import { CookieJar } from "./test-support/cookie-jar.js";
import {
  capturedLogLines,
  leakedSecrets,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "./test-support/test-server.js";

// Hostile input at every endpoint: the answer is never a 500, never a stack trace, always the
// documented `{error, message}` with a documented code, and never an echo of what was sent.

const DOCUMENTED = new Set(Object.values(ERROR_TABLE).map((entry) => entry.wire));

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let server: TestServer;
let port = 0;
let bearer = "";
let cookie = "";
let csrf = "";

function raw(
  method: string,
  path: string,
  headers: Array<[string, string]>,
  body?: string | Buffer,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    // Repeated names become arrays, which Node sends as separate header lines.
    const grouped: Record<string, string[]> = {};
    for (const [name, value] of headers) grouped[name] = [...(grouped[name] ?? []), value];
    if (body !== undefined) grouped["content-length"] = [String(Buffer.byteLength(body))];
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: grouped }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const ENDPOINTS: Array<[string, string]> = [
  ["POST", "/auth/register"],
  ["POST", "/auth/login"],
  ["POST", "/auth/refresh"],
  ["GET", "/auth/csrf"],
  ["POST", "/auth/logout"],
  ["POST", "/auth/logout-all"],
  ["GET", "/auth/me"],
  ["GET", "/auth/sessions"],
  ["DELETE", "/auth/sessions/some-session-id"],
  ["POST", "/auth/password"],
  ["DELETE", "/auth/account"],
  ["POST", "/oauth/token"],
  ["POST", "/oauth/revoke"],
  ["POST", "/oauth/introspect"],
  ["GET", "/oauth/revocations"],
  ["GET", "/.well-known/jwks.json"],
  ["GET", "/.well-known/oauth-authorization-server"],
  ["GET", "/healthz"],
  ["GET", "/readyz"],
  ["GET", "/metrics"],
];

const ALG_NONE = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString("base64url")}.${Buffer.from(
  '{"sub":"admin","exp":9999999999}',
).toString("base64url")}.`;
const HOSTILE_TOKENS = [
  ALG_NONE,
  `${Buffer.from('{"alg":"HS256","kid":"../../../../etc/passwd"}').toString("base64url")}.e30.c2lnbmF0dXJl`,
  "garbage-token-with-no-structure",
  "a".repeat(10_000),
  `${"eyJ".repeat(2000)}.x.y`,
  "' OR 1=1 -- hostile",
  "hostile\u0000token\u0000value",
];
const NASTY_STRINGS = [
  "nul\u0000inside@example.test",
  "\ud800lone-surrogate-password",
  "rtl\u202eoverride@example.test",
  "zero\u200bwidth\ufeff@example.test",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 combining é́́ 🙂",
  "x".repeat(5000),
];
const MALFORMED_JSON = ['{"email":', "[]", "null", '"string"', "12345", '{"__proto__":{"admin":true}}', "{}"];

/** Every secret-looking string sent in this file; none may come back. */
const sent = new Set<string>();

function check(res: Raw, context: string): void {
  expect(res.status, context).toBeLessThan(500);
  expect(res.text, context).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(res.text, context).not.toContain("stack");
  const echoed = [...sent].filter((s) => res.text.includes(s) || JSON.stringify(res.headers).includes(s));
  expect(echoed, context).toEqual([]);
  if (res.status >= 400) {
    const body = JSON.parse(res.text) as Record<string, unknown>;
    const keys = Object.keys(body).sort();
    expect(
      keys.filter((k) => k !== "error_description"),
      context,
    ).toEqual(["error", "message"]);
    expect(DOCUMENTED.has(body.error as never), `${context}: ${String(body.error)}`).toBe(true);
  }
}

beforeAll(async () => {
  server = await startTestServer({ TESSERA_REFRESH_GRACE: "0s" });
  port = Number(new URL(server.url).port);
  const email = uniqueEmail();
  await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  const jar = new CookieJar();
  const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, jar });
  bearer = login.body.access_token;
  csrf = login.body.csrf_token;
  cookie = `${REFRESH_COOKIE}=${jar.get(REFRESH_COOKIE)?.value}`;
  for (const s of [...HOSTILE_TOKENS, ...NASTY_STRINGS]) if (s.length >= 8) sent.add(s);
});
afterAll(async () => {
  await server?.close();
});

describe.each(ENDPOINTS)("%s %s", (method, path) => {
  const withBody = method !== "GET";
  const isOauth = path.startsWith("/oauth/");

  it("survives malformed JSON, wrong types and wrong content types", async () => {
    for (const body of MALFORMED_JSON) {
      check(await raw(method, path, [["content-type", "application/json"]], body), `json ${body}`);
    }
    const wrongTypes = [
      { email: 1, password: true, token_delivery: ["body"] },
      { email: ["a@b.c"], password: { $gt: "" }, current_password: null, new_password: 42 },
      { grant_type: ["refresh_token"], refresh_token: { a: 1 }, token: [1, 2] },
    ];
    for (const body of wrongTypes) {
      check(
        await raw(
          method,
          path,
          [
            ["content-type", "application/json"],
            ["authorization", `Bearer ${bearer}`],
          ],
          JSON.stringify(body),
        ),
        `types ${JSON.stringify(body)}`,
      );
    }
    for (const type of [
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
    ]) {
      check(
        await raw(method, path, [["content-type", type]], "grant_type=refresh_token&token=%00%ff&x=<a>"),
        type,
      );
    }
    if (withBody) {
      const huge = await raw(
        method,
        path,
        [["content-type", isOauth ? "application/x-www-form-urlencoded" : "application/json"]],
        `{"email":"${"a".repeat(64 * 1024)}"}`,
      );
      check(huge, "huge body");
      expect([413, 404, 405]).toContain(huge.status);
    }
  });

  it("survives unicode oddities in every field", async () => {
    for (const value of NASTY_STRINGS) {
      const fields = {
        email: value,
        password: value,
        current_password: value,
        new_password: value,
        token: value,
      };
      check(
        await raw(
          method,
          path,
          [
            ["content-type", "application/json"],
            ["authorization", `Bearer ${bearer}`],
          ],
          JSON.stringify(fields),
        ),
        `json unicode ${value.slice(0, 20)}`,
      );
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: value,
        token: value,
      }).toString();
      check(
        await raw(
          method,
          path,
          [
            ["content-type", "application/x-www-form-urlencoded"],
            ["authorization", `Basic ${Buffer.from(`${RESOURCE_ID}:${RESOURCE_SECRET}`).toString("base64")}`],
          ],
          form,
        ),
        `form unicode ${value.slice(0, 20)}`,
      );
    }
  });

  it("survives duplicated headers", async () => {
    const dupes: Array<Array<[string, string]>> = [
      [
        ["authorization", `Bearer ${bearer}`],
        ["authorization", "Bearer other.token.value"],
      ],
      [
        ["cookie", cookie],
        ["cookie", `${REFRESH_COOKIE}=tossed.cookie.value`],
        ["x-csrf-token", csrf],
      ],
      [
        ["cookie", cookie],
        ["x-csrf-token", csrf],
        ["x-csrf-token", "second-csrf-value"],
      ],
      [
        ["origin", "https://evil.example"],
        ["origin", "http://app.example.test"],
        ["cookie", cookie],
        ["x-csrf-token", csrf],
      ],
      [
        ["content-type", "application/json"],
        ["content-type", "text/plain"],
      ],
    ];
    for (const headers of dupes) {
      const res = await raw(method, path, headers, withBody ? "{}" : undefined);
      check(res, `dupes ${headers.map(([n]) => n).join(",")}`);
    }
  });

  it("survives hostile tokens in every place a token can go", async () => {
    for (const token of HOSTILE_TOKENS) {
      const printable = token.replaceAll("\u0000", "");
      const headerSets: Array<Array<[string, string]>> = [
        [["authorization", `Bearer ${printable}`]],
        [["authorization", `bearer   ${printable}`]],
        [["authorization", `Basic ${Buffer.from(`${printable}:${printable}`).toString("base64")}`]],
        [
          ["cookie", `${REFRESH_COOKIE}=${encodeURIComponent(token)}`],
          ["x-csrf-token", printable.slice(0, 600)],
        ],
      ];
      for (const headers of headerSets) {
        check(
          await raw(method, path, headers, withBody ? "{}" : undefined),
          `token header ${token.slice(0, 16)}`,
        );
      }
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: token,
        token,
      }).toString();
      check(
        await raw(method, path, [["content-type", "application/x-www-form-urlencoded"]], form),
        "token form",
      );
      const query = await raw(
        method,
        `${path}?access_token=${encodeURIComponent(printable.slice(0, 200))}`,
        [],
      );
      check(query, "token in query");
      expect(query.status).toBe(400);
    }
  });
});

it("survives an oversized header block and an invalid URL without a 500", async () => {
  const big = await raw("GET", "/auth/me", [["authorization", `Bearer ${"a".repeat(20_000)}`]]);
  expect(big.status).toBe(431);
  check(await raw("GET", "/auth/%E0%A4%A", []), "bad url");
  check(
    await raw("DELETE", `/auth/sessions/${"x".repeat(300)}`, [["authorization", `Bearer ${bearer}`]]),
    "long param",
  );
  check(await raw("POST", "/auth/login?x=1&x=2", [["content-type", "application/json"]], "{}"), "dup query");
});

it("still works normally after all of that", async () => {
  const email = uniqueEmail();
  expect(
    (await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } })).status,
  ).toBe(201);
  const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
  expect((await server.call("GET", "/auth/me", { bearer: login.body.access_token })).status).toBe(200);
});

it("logged no server error while being fed all of that", () => {
  const errors = capturedLogLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  expect(errors).toEqual([]);
});

it("wrote no submitted token, CSRF token or password to the log or the audit trail", async () => {
  const audit = JSON.stringify(await server.store.listAudit({ limit: 10_000 }));
  expect(leakedSecrets(audit)).toEqual([]);
});
