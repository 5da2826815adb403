import fc from "fast-check";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import { bodyFor, canary, type FuzzBody } from "./fuzz-bodies.js";
import { APP_ORIGIN } from "./test-server.js";

// Random HTTP requests for the fuzz suite. Real credentials appear as placeholders (`{{access}}`,
// …) that the test fills in with the live values when it sends the case, so a shrunk or replayed
// counterexample still carries whatever tokens the server holds then.

/** Placeholders the test replaces with live credentials and ids. */
export const PLACEHOLDERS = [
  "access",
  "refresh",
  "bodyRefresh",
  "csrf",
  "password",
  "email",
  "userId",
  "sessionId",
  "adminBasic",
  "resourceBasic",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface FuzzCase {
  method: string;
  /** Path and query, with placeholders only in path parameters. */
  url: string;
  headers: Record<string, string>;
  body: FuzzBody;
}

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jwt",
  "*/*",
  "application/json, text/plain",
  "",
);

/** Header values as a client can send them: visible ASCII, no CR/LF. */
const headerText = fc.oneof(
  canary,
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, "?")),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => "y".repeat(n)),
);
const basic = (s: string) => Buffer.from(s).toString("base64");

/** Absent `absent` times out of `absent + 1`, else one of `present`. */
const sometimes = (absent: number, present: fc.Arbitrary<string>) =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: present });

/** The credential the route expects, most of the time; anything else otherwise. */
function authorizationFor(path: string): fc.Arbitrary<string | undefined> {
  const expected = path.startsWith("/admin/")
    ? "Basic {{adminBasic}}"
    : path === "/oauth/introspect" || path === "/oauth/revocations"
      ? "Basic {{resourceBasic}}"
      : "Bearer {{access}}";
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(expected) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(
          "bearer   {{access}}",
          "DPoP {{access}}",
          "Basic {{adminBasic}}",
          "Basic {{resourceBasic}}",
          "Bearer {{bodyRefresh}}",
          "Bearer",
          "Basic",
        ),
        headerText.map((t) => `Bearer ${t}`),
        fc.tuple(headerText, headerText).map(([a, b]) => `Basic ${basic(`${a}:${b}`)}`),
        headerText,
      ),
    },
  );
}

function headersFor(path: string): fc.Arbitrary<Record<string, string | undefined>> {
  return fc.record({
    authorization: authorizationFor(path),
    cookie: fc.oneof(
      { weight: 3, arbitrary: fc.constant(`${REFRESH_COOKIE}={{refresh}}`) },
      { weight: 2, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.constant(`${REFRESH_COOKIE}={{refresh}}; ${REFRESH_COOKIE}=second`),
          fc.constant(`${REFRESH_COOKIE}={{bodyRefresh}}`),
          headerText.map((t) => `${REFRESH_COOKIE}=${t}`),
          headerText,
        ),
      },
    ),
    "x-csrf-token": fc.oneof(
      { weight: 3, arbitrary: fc.constant("{{csrf}}") },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: headerText },
    ),
    origin: sometimes(
      3,
      fc.oneof(fc.constantFrom(APP_ORIGIN, APP_ORIGIN, "https://evil.example", "null"), headerText),
    ),
    dpop: sometimes(6, fc.oneof(headerText, fc.constant("eyJhbGciOiJub25lIn0.e30."))),
    "user-agent": sometimes(1, headerText),
    "x-forwarded-for": sometimes(
      4,
      fc.oneof(fc.constantFrom("::1", "10.0.0.1, 127.0.0.1", "999.1.1.1"), headerText),
    ),
    accept: sometimes(3, fc.constantFrom("*/*", "text/html", "application/json", "application/xml;q=0")),
    "content-encoding": sometimes(10, fc.constantFrom("gzip", "br", "identity", "x-unknown")),
  });
}

const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,16}$/), headerText, { maxKeys: 2 });

const pathParam = fc.oneof(
  fc.constantFrom("{{userId}}", "{{userId}}", "{{sessionId}}", "{{sessionId}}", "..%2f..", "%00", "%E0%A4%A"),
  fc.constant("x".repeat(250)),
  canary,
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);

const query = sometimes(
  4,
  fc
    .dictionary(
      fc.oneof(fc.constantFrom("limit", "cursor", "email", "after", "wait", "access_token", "token"), canary),
      fc.oneof(canary, fc.string({ maxLength: 30 }), fc.constantFrom("0", "-1", "201", "abc", "")),
      { maxKeys: 3 },
    )
    .map((q) => new URLSearchParams(q).toString()),
);

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

/**
 * Requests aimed at one route (`method` and OpenAPI `path`, e.g. `/admin/users/{id}`): mostly its
 * own method, encoding and credential, with any JSON shape, wrong encodings and content types,
 * hostile headers and cookies mixed in.
 *
 * @example
 * fc.assert(fc.asyncProperty(fuzzCase("POST", "/auth/login"), async (c) => { … }));
 */
export function fuzzCase(method: string, path: string): fc.Arbitrary<FuzzCase> {
  const params = path.match(/\{\w+\}/g) ?? [];
  return fc
    .record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant(method) }, fc.constantFrom(...METHODS)),
      params: fc.array(pathParam, { minLength: params.length, maxLength: params.length }),
      query,
      headers: headersFor(path),
      extraHeaders,
      body: bodyFor(method, path),
      contentType: sometimes(5, contentType),
    })
    .map((r) => {
      let url = path;
      for (const [i, name] of params.entries()) url = url.replace(name, r.params[i] ?? "");
      if (r.query !== undefined) url = `${url}?${r.query}`;
      const all: Record<string, string> = { ...r.extraHeaders };
      for (const [name, headerValue] of Object.entries(r.headers)) {
        if (headerValue !== undefined) all[name] = headerValue;
      }
      // Broken text and bytes go out labelled as the route's own encoding, so the parser meets them.
      const ownType = path.startsWith("/oauth/") ? "application/x-www-form-urlencoded" : "application/json";
      const defaultType =
        r.body.kind === "json"
          ? "application/json"
          : r.body.kind === "form"
            ? "application/x-www-form-urlencoded"
            : r.body.kind === "none"
              ? undefined
              : ownType;
      const type = r.contentType ?? defaultType;
      if (type !== undefined) all["content-type"] = type;
      return { method: r.method, url, headers: all, body: r.body };
    });
}

/**
 * The case as `inject` options, placeholders filled in from `live`.
 *
 * @example
 * await app.inject(toInject(fuzzCase, live));
 */
export function toInject(
  c: FuzzCase,
  live: Record<Placeholder, string>,
): { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer } {
  const fill = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_, key: string) => live[key as Placeholder] ?? "");
  const deep = (v: unknown): unknown => {
    if (typeof v === "string") return fill(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, deep(inner)]));
    }
    return v;
  };
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, fill(v)]));
  const url = fill(c.url);
  switch (c.body.kind) {
    case "none":
      return { method: c.method, url, headers };
    case "json":
      return { method: c.method, url, headers, payload: JSON.stringify(deep(c.body.value)) ?? "null" };
    case "form": {
      const filled = deep(c.body.value);
      const entries =
        filled !== null && typeof filled === "object" && !Array.isArray(filled)
          ? Object.entries(filled).map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")])
          : [["value", JSON.stringify(filled) ?? ""]];
      return { method: c.method, url, headers, payload: new URLSearchParams(entries).toString() };
    }
    case "text":
      return { method: c.method, url, headers, payload: c.body.text };
    case "bytes":
      return { method: c.method, url, headers, payload: Buffer.from(c.body.bytes) };
  }
}
