import { afterEach, expect, it } from "vitest";
import { API, browser, EMAIL, events, failure, PASSWORD } from "./test-support/harness.js";

let current: ReturnType<typeof browser> | undefined;
afterEach(() => current?.close());

it("loginWithTicket changes the state exactly as login does, in this tab and the others", async () => {
  current = browser();
  const { server, tab } = current;
  const auth = tab();
  const other = tab();
  const seen = events(auth);
  const seenByOther = events(other);
  const registered = await auth.register(EMAIL, PASSWORD);

  const user = await auth.loginWithTicket(server.issueTicket(EMAIL));
  expect(user).toEqual(registered);
  expect(auth.user).toEqual(registered);
  expect(seen).toEqual(["authenticated"]);
  const request = server.requests.find((r) => r.path === "/auth/login/ticket");
  expect(request?.credentials).toBe("include");
  expect(request?.url).toBe("https://auth.test/auth/login/ticket");

  const res = await auth.fetch(API);
  expect(await res.json()).toMatchObject({ sub: registered.id });
  // The other tab adopts the session as it would after a password login.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(other.user).toEqual(registered);
  expect(seenByOther).toEqual(["authenticated"]);
});

it("a used or unknown ticket fails with the server's code and leaves the tab logged out", async () => {
  current = browser();
  const { server, tab } = current;
  const auth = tab();
  await auth.register(EMAIL, PASSWORD);
  const ticket = server.issueTicket(EMAIL);
  await auth.loginWithTicket(ticket);
  const fresh = tab();
  expect(await failure(fresh.loginWithTicket(ticket))).toEqual({ code: "invalid_ticket", status: 401 });
  expect(await failure(tab().loginWithTicket("nope"))).toEqual({ code: "invalid_ticket", status: 401 });
});
