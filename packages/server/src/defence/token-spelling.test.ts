import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RESOURCE_BASIC,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same token with its signature's last character spelled with non-zero unused bits. */
function twinOf(token: string): string {
  const last = token.at(-1) as string;
  const value = ALPHABET.indexOf(last);
  // An Ed25519 signature is 64 bytes = 86 characters: the last carries 2 bits and 4 unused ones.
  const twin = ALPHABET[value | 1] as string;
  expect(twin).not.toBe(last);
  expect(Buffer.from(token.slice(0, -1) + twin, "base64url")).toEqual(Buffer.from(token, "base64url"));
  return token.slice(0, -1) + twin;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("one token, one spelling", () => {
  // Regression (issue 14.11): the server accepted a non-canonical base64url signature twin.
  it("a twin with a non-canonical last signature character is refused by /auth/me and introspection", async () => {
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const login = await server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    });
    const access = login.body.access_token as string;
    const twin = twinOf(access.split(".").at(-1) as string);
    const twinToken = `${access.split(".").slice(0, 2).join(".")}.${twin}`;

    expect((await server.call("GET", "/auth/me", { bearer: access })).status).toBe(200);
    const me = await server.call("GET", "/auth/me", { bearer: twinToken });
    expect(me.status).toBe(401);
    expect(me.body.error).toBe("token_invalid");

    const good = await server.call("POST", "/oauth/introspect", {
      form: { token: access },
      headers: { authorization: RESOURCE_BASIC },
    });
    expect(good.body.active).toBe(true);
    const bad = await server.call("POST", "/oauth/introspect", {
      form: { token: twinToken },
      headers: { authorization: RESOURCE_BASIC },
    });
    expect(bad.body).toEqual({ active: false });
  });
});
