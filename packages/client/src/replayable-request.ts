/**
 * Copies of one request for a first attempt and one retry. A body given as a ReadableStream can
 * be sent only once (keeping a copy would buffer the whole stream), so it gets no retry; any
 * other body (string, Blob, FormData, URLSearchParams, ArrayBuffer, or a `Request`'s own body)
 * is kept for the retry.
 *
 * @internal
 */
export function replayableRequest(
  input: Request | string | URL,
  init?: RequestInit,
): { first: Request; retry: Request | undefined } {
  const original = new Request(input, init);
  const streamed = typeof ReadableStream !== "undefined" && init?.body instanceof ReadableStream;
  return streamed ? { first: original, retry: undefined } : { first: original.clone(), retry: original };
}
