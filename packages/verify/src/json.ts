/**
 * JSON objects for JOSE headers and claim sets. `JSON.parse` silently keeps the last of
 * duplicate member names, so `{"sub":"alice","sub":"admin"}` would mean different things to
 * different parsers (RFC 7515 §5.2, RFC 7519 §4: reject duplicates). Detecting them costs one
 * scan: in valid JSON every `:` outside a string separates exactly one member, so the text has
 * duplicates iff it holds more `:` than the parsed value holds members.
 */

/** Count the name/value separators of a syntactically valid JSON text. */
function countSeparators(text: string): number {
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x3a /* : */) {
      count++;
    }
  }
  return count;
}

/** Count object members at every depth, without recursion (nesting depth is attacker-chosen). */
function countMembers(root: unknown): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else {
      for (const key of Object.keys(value)) {
        count++;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return count;
}

/**
 * Parse `text` as a JSON object; `null` when it is not valid JSON, not an object (arrays,
 * strings, numbers and `null` are refused) or has a duplicate member name at any depth.
 *
 * @example
 * parseJsonObject('{"a":1}');        // { a: 1 }
 * parseJsonObject('{"a":1,"a":2}');  // null
 * parseJsonObject('[1]');            // null
 */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (countSeparators(text) !== countMembers(value)) return null;
  return value as Record<string, unknown>;
}
