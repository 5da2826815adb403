import fc from "fast-check";

// The bodies of the fuzz suite's requests: JSON shapes the routes read and shapes they do not,
// forms, truncated JSON, bytes that are not UTF-8, bodies over the size limit. Values may be
// placeholders of live credentials (`{{access}}`, …) that the test fills in when it sends them.

/** A marker string: if it ever comes back in an answer, the server echoed its input. */
export const CANARY = /cnry[a-z0-9]{12}/g;
/** A fresh marker string. */
export const canary = fc.stringMatching(/^[a-z0-9]{12}$/).map((s) => `cnry${s}`);

export type FuzzBody =
  | { kind: "none" }
  | { kind: "json" | "form"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array };

const FIELDS = [
  "email",
  "password",
  "token",
  "refresh_token",
  "grant_type",
  "scope",
  "token_delivery",
  "ticket",
  "new_password",
  "current_password",
  "users",
  "user_id",
  "email_verified",
  "roles",
  "add",
  "remove",
  "disabled",
  "client_id",
  "token_type_hint",
  "hash",
  "__proto__",
  "constructor",
];

const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "",
    " ",
    "null",
    "__proto__",
    "0",
    "-1",
    "1e309",
    "body",
    "cookie",
    "refresh_token",
    "openid",
  ),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => "x".repeat(n)),
);
const secretSlot = fc.constantFrom(
  "{{access}}",
  "{{refresh}}",
  "{{bodyRefresh}}",
  "{{csrf}}",
  "{{password}}",
  "{{email}}",
  "{{userId}}",
);
const text = fc.oneof(
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: canary },
  { weight: 1, arbitrary: canary.map((c) => `${c}@example.test`) },
  { weight: 2, arbitrary: secretSlot },
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3 },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie("value"), {
      maxKeys: 4,
    }),
  ),
}));

/** The fields the routes read, each with a plausible or hostile value: gets past the shape checks. */
const plausible = fc.record(
  {
    email: fc.oneof(
      fc.constant("{{email}}"),
      canary.map((c) => `${c}@example.test`),
      text,
    ),
    password: fc.oneof(fc.constant("{{password}}"), fc.constant("another long password 12345"), text),
    current_password: fc.oneof(fc.constant("{{password}}"), text),
    new_password: fc.oneof(fc.constant("a new long password 67890"), text),
    token: fc.oneof(fc.constantFrom("{{access}}", "{{bodyRefresh}}"), text),
    refresh_token: fc.oneof(fc.constant("{{bodyRefresh}}"), text),
    grant_type: fc.oneof(fc.constantFrom("refresh_token", "password", "client_credentials"), text),
    token_delivery: fc.oneof(fc.constantFrom("body", "cookie"), text),
    token_type_hint: fc.constantFrom("access_token", "refresh_token", "x"),
    scope: fc.oneof(fc.constantFrom("", "openid", "admin orders:read"), text),
    ticket: text,
    user_id: fc.oneof(fc.constant("{{userId}}"), text),
    email_verified: value,
    disabled: value,
    roles: value,
    users: fc.array(fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 4 }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** Mostly objects with the field names the routes read, sometimes anything at all. */
const bodyValue = fc.oneof(
  { weight: 4, arbitrary: plausible },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }) },
  { weight: 1, arbitrary: value },
);

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  // JSON text with bytes that are not UTF-8 in the middle of a string.
  fc.nat({ max: 20 }).map((at) => {
    const json = Buffer.from(`{"email":"${"a".repeat(at)}`);
    return Buffer.concat([json, Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('","password":"x"}')]);
  }),
  // Over the 16 KiB body limit.
  fc.integer({ min: 15_000, max: 70_000 }).map((n) => Buffer.from(`{"email":"${"a".repeat(n)}"}`)),
);

/** Bodies in the route's own encoding most of the time (JSON, or a form under /oauth). */
export function bodyFor(method: string, path: string): fc.Arbitrary<FuzzBody> {
  const form = path.startsWith("/oauth/");
  const own = form ? ("form" as const) : ("json" as const);
  const other = form ? ("json" as const) : ("form" as const);
  return fc.oneof(
    { weight: method === "GET" ? 8 : 1, arbitrary: fc.constant({ kind: "none" as const }) },
    { weight: 6, arbitrary: bodyValue.map((v) => ({ kind: own, value: v })) },
    { weight: 1, arbitrary: bodyValue.map((v) => ({ kind: other, value: v })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          // Truncated JSON text.
          fc.json().chain((json) => fc.nat({ max: json.length }).map((cut) => json.slice(0, cut))),
          fc.string({ maxLength: 200 }),
        )
        .map((t) => ({ kind: "text" as const, text: t })),
    },
    { weight: 1, arbitrary: bytes.map((b) => ({ kind: "bytes" as const, bytes: b })) },
  );
}
