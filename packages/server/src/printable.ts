/**
 * Characters that steer a terminal or reorder text instead of printing: C0 controls (with tab and
 * newline), DEL, C1 controls, the bidi marks, embeddings, overrides and isolates (Trojan Source,
 * CVE-2021-42574), and the Unicode line and paragraph separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => (c.codePointAt(0) ?? 0).toString(16).padStart(4, "0");

/**
 * `text` with each control or bidi character written as a visible `\u{…}` escape, so a stored
 * client string (a User-Agent) cannot move the cursor, recolour or reorder a terminal.
 *
 * @example
 * printable("curl\u001b[2J"); // "curl\\u{001b}[2J"
 */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u{${hex(c)}}`);
}

/**
 * `JSON.stringify(value)` with the controls JSON leaves raw (DEL, C1, bidi, U+2028/9) escaped as
 * `\uXXXX` too: the same value once parsed, safe to print.
 *
 * @example
 * jsonLine({ ua: "a\u202eb" }); // '{"ua":"a\\u202eb"}'
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(CONTROLS, (c) => `\\u${hex(c)}`);
}
