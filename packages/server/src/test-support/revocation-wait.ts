import type { Verifier } from "@tessera/verify";

/**
 * Polls `verifier` every `everyMs` until it refuses `token`; resolves to the milliseconds since
 * `since` (a `performance.now()` reading) and the code it refused with, or rejects after `limitMs`.
 *
 * @example
 * const { ms, code } = await msUntilRefused(verifier, token, performance.now(), 5_000);
 */
export async function msUntilRefused(
  verifier: Verifier,
  token: string,
  since: number,
  limitMs: number,
  everyMs = 5,
): Promise<{ ms: number; code: string | undefined }> {
  for (;;) {
    const refused = await verifier.verify(token).then(
      () => null,
      (error: { code?: string }) => ({ code: error.code }),
    );
    if (refused !== null) return { ms: performance.now() - since, code: refused.code };
    if (performance.now() - since > limitMs) throw new Error(`token still accepted after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
