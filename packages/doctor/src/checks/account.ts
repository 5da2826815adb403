import { randomBytes } from "node:crypto";
import { describeReply } from "../lib/http.js";
import type { RunContext } from "../lib/run-context.js";
import type { DoctorOptions } from "../types.js";

/** The account the session checks run with. */
export interface Account {
  mode: "provided" | "registered";
  email: string;
  password: string;
}

const NEED_ACCOUNT = "pass --email and --password of a test account";

/** A throwaway address in a reserved TLD (RFC 2606), so it can never reach anyone. */
export function throwawayEmail(): string {
  return `doctor+${randomBytes(6).toString("hex")}@example.invalid`;
}

/**
 * Uses the given credentials, or registers a throwaway account when registration is open.
 * Records the `account` check only when no account can be had; on success the caller records it.
 */
export async function acquireAccount(ctx: RunContext, options: DoctorOptions): Promise<Account | undefined> {
  const { email, password } = options;
  ctx.redact.add(password);
  if (email !== undefined && password !== undefined) return { mode: "provided", email, password };
  if (email !== undefined || password !== undefined) {
    ctx.record("account", {
      status: "fail",
      detail: "only one of --email and --password given",
      hint: NEED_ACCOUNT,
    });
    return undefined;
  }
  if (options.register === false) {
    ctx.record("account", {
      status: "skip",
      detail: "no test account and registering one is disabled",
      hint: NEED_ACCOUNT,
    });
    return undefined;
  }
  ctx.step("registering a throwaway account");
  const account: Account = {
    mode: "registered",
    email: throwawayEmail(),
    // Long, mixed and random, to pass any reasonable password policy.
    password: `Dr-${randomBytes(24).toString("base64url")}-9x`,
  };
  ctx.redact.add(account.password);
  const reply = await ctx.http.request("POST", "/auth/register", {
    body: { email: account.email, password: account.password },
  });
  if (reply.status === 201 || reply.status === 200) return account;
  const closed = reply.status === 403 || reply.status === 404;
  ctx.record("account", {
    status: "skip",
    detail: closed
      ? `registration is closed (${describeReply(reply)}), so session checks did not run`
      : `could not register a throwaway account (${describeReply(reply)})`,
    hint: NEED_ACCOUNT,
  });
  return undefined;
}
