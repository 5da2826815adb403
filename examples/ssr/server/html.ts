/** Text for HTML: the five characters that matter escaped. */
export function esc(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A whole page: no script at all, a strict CSP says so. */
export function page(title: string, body: string, nav = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Tessera SSR example</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
nav{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem}
nav form{margin-left:auto}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #eee}
.error{color:#a00}label{display:block;margin:.5rem 0}</style></head>
<body><nav><a href="/">Home</a><a href="/account">Account</a><a href="/admin">Admin</a>${nav}</nav>
<h1>${esc(title)}</h1>${body}</body></html>`;
}

/** The hidden synchronizer-token field every form of a signed-in page carries. */
export const csrfField = (token: string | undefined) =>
  token === undefined ? "" : `<input type="hidden" name="_csrf" value="${esc(token)}">`;
