import { describe, expect, it } from "vitest";
import { createClient } from "./client.js";
import { TesseraClientError } from "./errors.js";
import type { FragmentHost } from "./recovery.js";

const TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";

/** A fetch that records each request and answers from `answer`. */
function recorder(answer: (path: string, body: Record<string, unknown>) => Response) {
  const calls: Array<{ path: string; body: Record<string, unknown>; credentials: RequestCredentials }> = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const body = (await request.json()) as Record<string, unknown>;
    calls.push({ path, body, credentials: request.credentials });
    return answer(path, body);
  };
  return { calls, fetch };
}

function page(hash: string) {
  const replaced: string[] = [];
  const host: FragmentHost & { location: { hash: string; pathname: string; search: string } } = {
    location: { hash, pathname: "/reset-password", search: "" },
    history: {
      replaceState(_data, _unused, url) {
        replaced.push(String(url));
        host.location.hash = "";
      },
    },
  };
  return { host, replaced };
}

const noContent = () => new Response(null, { status: 204 });

describe("account recovery in the SDK", () => {
  it("forgotPassword posts the address", async () => {
    const { calls, fetch } = recorder(() => new Response("{}", { status: 202 }));
    const auth = createClient({ baseUrl: "https://auth.test", fetch, fragmentHost: {} });
    await auth.forgotPassword("ada@example.com");
    expect(calls).toEqual([
      { path: "/auth/password/forgot", body: { email: "ada@example.com" }, credentials: "include" },
    ]);
    auth.close();
  });

  it("resetPassword reads #token= from the page, clears the fragment, and keeps it for a retry", async () => {
    let weak = true;
    const { calls, fetch } = recorder(() => {
      if (!weak) return noContent();
      weak = false;
      return Response.json({ error: "weak_password", message: "x" }, { status: 400 });
    });
    const { host, replaced } = page(`#token=${TOKEN}`);
    const auth = createClient({ baseUrl: "https://auth.test", fetch, fragmentHost: host });
    const error = await auth.resetPassword("short").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraClientError);
    expect((error as TesseraClientError).code).toBe("weak_password");
    expect(replaced).toEqual(["/reset-password"]);
    expect(host.location.hash).toBe("");
    await auth.resetPassword(undefined, "a much better passphrase");
    expect(calls.map((c) => c.body)).toEqual([
      { token: TOKEN, new_password: "short" },
      { token: TOKEN, new_password: "a much better passphrase" },
    ]);
    // Used: a later call without a token and without a fragment has none.
    const missing = await auth.resetPassword("another passphrase").catch((e: unknown) => e);
    expect((missing as TesseraClientError).code).toBe("missing_token");
    auth.close();
  });

  it("an explicit token wins; verifyEmail reads the fragment too", async () => {
    const { calls, fetch } = recorder(noContent);
    const { host } = page(`#token=${TOKEN}`);
    const auth = createClient({ baseUrl: "https://auth.test", fetch, fragmentHost: host });
    await auth.resetPassword("explicit-token", "a much better passphrase");
    await auth.verifyEmail();
    expect(calls).toMatchObject([
      { path: "/auth/password/reset", body: { token: "explicit-token" } },
      { path: "/auth/email/verify", body: { token: TOKEN } },
    ]);
    expect(host.location.hash).toBe("");
    auth.close();
  });

  it("passes invalid_token through", async () => {
    const { fetch } = recorder(() =>
      Response.json({ error: "invalid_token", message: "x" }, { status: 400 }),
    );
    const auth = createClient({ baseUrl: "https://auth.test", fetch, fragmentHost: {} });
    const error = (await auth.verifyEmail(TOKEN).catch((e: unknown) => e)) as TesseraClientError;
    expect([error.code, error.status]).toEqual(["invalid_token", 400]);
    auth.close();
  });
});
