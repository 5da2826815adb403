import { HttpError } from "./http-error.js";

// A UTF-16 surrogate without its partner cannot be encoded as UTF-8; two such strings could
// hash alike, so they are refused rather than silently replaced.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The JSON body as a plain object, or 400 `invalid_request`.
 *
 * @example
 * const body = jsonObject(request.body);
 */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError("invalid_request");
  return body as Record<string, unknown>;
}

/**
 * A required string field of at most `maxLength` characters and well-formed Unicode, or 400
 * `invalid_request`. Form bodies repeat a parameter as an array: that is refused too
 * (RFC 6749 §3.2: parameters must not repeat).
 *
 * @example
 * const email = stringField(body, "email", 320);
 */
export function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name];
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > maxLength ||
    LONE_SURROGATE.test(value)
  ) {
    throw new HttpError("invalid_request");
  }
  return value;
}

/**
 * An optional string field; `undefined` when absent, else as `stringField`.
 *
 * @example
 * const delivery = optionalStringField(body, "token_delivery", 16);
 */
export function optionalStringField(
  body: Record<string, unknown>,
  name: string,
  maxLength: number,
): string | undefined {
  return body[name] === undefined ? undefined : stringField(body, name, maxLength);
}
