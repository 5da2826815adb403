import { randomUUID } from "node:crypto";
import type { ClientContext, PublicUser } from "../api.js";
import { TesseraError } from "../errors.js";
import { checkRoles } from "../permissions/roles.js";
import type { Runtime } from "../runtime.js";
import { normaliseEmail } from "./email.js";
import { sendVerification } from "./email-verification.js";
import { checkPasswordPolicy, preparePassword } from "./passwords.js";
import { NO_PASSWORD_HASH } from "./stored-password.js";

/**
 * Create an account: `registration_closed` unless registration is open (or `asAdmin`),
 * `invalid_input` for a malformed e-mail, `weak_password`, `email_taken` (from the store).
 * An administrator may leave out the password: the account then stores `NO_PASSWORD_HASH`, which no
 * password verifies, so it can only log in by ticket (or after a password is set or reset), and
 * may mark the address as verified (`emailVerified`; a self-registration always starts unverified).
 *
 * @example
 * const user = await registerUser(rt, { email, password, context }, { asAdmin: false });
 */
export async function registerUser(
  rt: Runtime,
  input: {
    email: string;
    password?: string | undefined;
    context: ClientContext | null;
    emailVerified?: boolean;
  },
  mode: { asAdmin: boolean; roles?: readonly string[] },
): Promise<PublicUser> {
  if (!mode.asAdmin && rt.options.registration !== "open") {
    throw new TesseraError("registration_closed", "registration is closed");
  }
  const email = normaliseEmail(input.email);
  const roles = checkRoles(mode.asAdmin ? (mode.roles ?? []) : []);
  let passwordHash: string;
  if (input.password === undefined) {
    if (!mode.asAdmin) throw new TesseraError("invalid_input", "password is required");
    passwordHash = NO_PASSWORD_HASH;
  } else {
    const password = preparePassword(input.password);
    checkPasswordPolicy(password, email);
    passwordHash = await rt.hasher.hash(password);
  }
  const user = {
    id: randomUUID(),
    email,
    passwordHash,
    createdAt: rt.clock.now(),
    tokenEpoch: 0,
    credentialVersion: 0,
    roles,
    disabledAt: null,
    emailVerified: mode.asAdmin && input.emailVerified === true,
  };
  await rt.store.createUser(user);
  await rt.audit({
    type: "user.registered",
    userId: user.id,
    context: input.context,
    data: { by: mode.asAdmin ? "admin" : "self", roles: roles.join(" ") },
  });
  if (!mode.asAdmin) await sendVerification(rt, user, input.context);
  return { id: user.id, email, roles };
}
