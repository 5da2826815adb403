const JWT_LIKE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const MASK = "[redacted]";

/**
 * Remembers every secret the run handles (passwords, tokens, cookie values) and masks them,
 * and anything shaped like a JWT, in text that may reach the user.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would mask ordinary words; real secrets are never this short.
    if (secret !== undefined && secret.length >= 6) this.#secrets.add(secret);
  }

  scrub(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join(MASK);
    }
    return out.replace(JWT_LIKE, MASK);
  }
}
