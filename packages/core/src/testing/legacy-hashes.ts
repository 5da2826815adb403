import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { hash as argon2Hash } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");
const ab64 = (bytes: Buffer) => b64(bytes).replaceAll("+", ".");

/** One hash per accepted spelling, keyed by kind. */
export interface LegacyHashSet {
  argon2id: string;
  argon2i: string;
  bcrypt2a: string;
  bcrypt2b: string;
  bcrypt2y: string;
  scrypt: string;
  pbkdf2: string;
  passlib: string;
}

/**
 * One hash of `password` in each spelling user import accepts, each made by the real library
 * (`@node-rs/argon2`, `bcryptjs`, `node:crypto`) with the lowest costs. For tests only.
 *
 * @example
 * const { bcrypt2y, passlib } = await legacyHashesOf("correct horse");
 */
export async function legacyHashesOf(password: string): Promise<LegacyHashSet> {
  const salt = randomBytes(16);
  const bcrypt2b = bcrypt.hashSync(password, 4);
  return {
    argon2id: await argon2Hash(password, { algorithm: 2, memoryCost: 8, timeCost: 1, parallelism: 1 }),
    argon2i: await argon2Hash(password, { algorithm: 1, memoryCost: 8, timeCost: 1, parallelism: 1 }),
    bcrypt2a: bcrypt2b.replace("$2b$", "$2a$"),
    bcrypt2b,
    bcrypt2y: bcrypt2b.replace("$2b$", "$2y$"),
    scrypt: `$scrypt$ln=4,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 16, r: 8, p: 1 }))}`,
    pbkdf2: `$pbkdf2-sha256$i=1000$${b64(salt)}$${b64(pbkdf2Sync(password, salt, 1000, 32, "sha256"))}`,
    passlib: `$pbkdf2-sha256$1000$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, 1000, 32, "sha256"))}`,
  };
}
