import { afterEach, describe, expect, it } from "vitest";
import {
  CTX,
  gatedStore,
  type Harness,
  outcome,
  PASSWORD,
  setUp,
  signUpAndIn,
} from "../test-support/harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("login ticket redemption, fenced on the credential version the ticket was made under", () => {
  it("a ticket consumed before a password change commits, its user read after, starts no session", async () => {
    h = await setUp();
    const { email, tokens } = await signUpAndIn(h.tessera);
    const claims = await h.tessera.authenticate(tokens.accessToken);
    const { ticket } = await h.tessera.adminCreateLoginTicket({ user: email });

    // Another instance whose redemption is held between consuming the ticket and reading the user.
    const gate = gatedStore(h.store, "getUserById");
    const slow = await h.another({ store: gate.store });
    const redemption = outcome(slow.loginWithTicket({ ticket, context: CTX }));
    await gate.arrived;
    await h.tessera.changePassword(claims, {
      currentPassword: PASSWORD,
      newPassword: "another long passphrase 42",
      context: CTX,
    });
    gate.release();
    expect(await redemption).toBe("invalid_ticket");
    const failures = await h.store.listAudit({ type: "login.ticket" });
    expect(failures.map((e) => [e.outcome, e.data?.reason])).toContainEqual([
      "failure",
      "credentials_changed",
    ]);
  });

  it("a ticket made after the change still works (the check compares versions, it does not refuse all)", async () => {
    h = await setUp();
    const { email, tokens } = await signUpAndIn(h.tessera);
    const claims = await h.tessera.authenticate(tokens.accessToken);
    await h.tessera.changePassword(claims, {
      currentPassword: PASSWORD,
      newPassword: "another long passphrase 42",
      context: CTX,
    });
    const { ticket } = await h.tessera.adminCreateLoginTicket({ user: email });
    const set = await h.tessera.loginWithTicket({ ticket, context: CTX });
    expect((await h.tessera.authenticate(set.accessToken)).sid).toBe(set.sessionId);
  });

  it("a ticket made before a disabling: 403 while disabled, and still refused once the user is enabled again", async () => {
    h = await setUp();
    const { email } = await signUpAndIn(h.tessera);
    const before = await h.tessera.adminCreateLoginTicket({ user: email });
    const kept = await h.tessera.adminCreateLoginTicket({ user: email });
    await h.tessera.adminSetDisabled(email, true);
    expect(await outcome(h.tessera.loginWithTicket({ ticket: before.ticket, context: CTX }))).toBe(
      "account_disabled",
    );
    await h.tessera.adminSetDisabled(email, false);
    expect(await outcome(h.tessera.loginWithTicket({ ticket: kept.ticket, context: CTX }))).toBe(
      "invalid_ticket",
    );
  });
});
