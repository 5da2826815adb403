import { randomBytes, randomUUID } from "node:crypto";
import type { ClientContext, PublicUser } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { normaliseEmail } from "./email.js";
import { sendVerification } from "./email-verification.js";
import { checkPasswordPolicy, preparePassword } from "./passwords.js";

/**
 * Create an account: `registration_closed` unless registration is open (or `asAdmin`),
 * `invalid_input` for a malformed e-mail, `weak_password`, `email_taken` (from the store).
 * An administrator may leave out the password: the account then gets the hash of a random secret
 * nobody knows, so it can only log in by ticket (or after a password is set for it).
 *
 * @example
 * const user = await registerUser(rt, { email, password, context }, { asAdmin: false });
 */
export async function registerUser(
  rt: Runtime,
  input: { email: string; password?: string | undefined; context: ClientContext | null },
  mode: { asAdmin: boolean },
): Promise<PublicUser> {
  if (!mode.asAdmin && rt.options.registration !== "open") {
    throw new TesseraError("registration_closed", "registration is closed");
  }
  const email = normaliseEmail(input.email);
  let password: string;
  if (input.password === undefined) {
    if (!mode.asAdmin) throw new TesseraError("invalid_input", "password is required");
    password = randomBytes(32).toString("base64url");
  } else {
    password = preparePassword(input.password);
    checkPasswordPolicy(password, email);
  }
  const user = {
    id: randomUUID(),
    email,
    passwordHash: await rt.hasher.hash(password),
    createdAt: rt.clock.now(),
    tokenEpoch: 0,
    credentialVersion: 0,
    disabledAt: null,
    emailVerified: false,
  };
  await rt.store.createUser(user);
  await rt.audit({
    type: "user.registered",
    userId: user.id,
    context: input.context,
    data: { by: mode.asAdmin ? "admin" : "self" },
  });
  if (!mode.asAdmin) await sendVerification(rt, user, input.context);
  return { id: user.id, email };
}
