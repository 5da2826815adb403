/**
 * The entries of a comma-separated setting, trimmed, empty ones dropped.
 *
 * @example
 * commaList(" a, b,,c "); // ["a", "b", "c"]
 */
export const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
