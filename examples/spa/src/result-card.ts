import { byId, el } from "./dom.js";

/** A card's result area: a status line and name/value rows, shown once the first call ends. */
export type ShowResult = (code: string, ok: boolean, rows: Array<[string, string]>, detail?: string) => void;

/**
 * The result area of an API card, from its element ids: `<prefix>-result`, `<prefix>-status`,
 * `<prefix>-fields` and, when the card has one, `<prefix>-time`.
 *
 * @example
 * const show = resultCard("admin");
 * show("200 OK", true, [["Roles", "admin"]]);
 */
export function resultCard(prefix: string): ShowResult {
  const result = byId(`${prefix}-result`, HTMLDivElement);
  const status = byId(`${prefix}-status`, HTMLSpanElement);
  const fields = byId(`${prefix}-fields`, HTMLDListElement);
  const time = document.getElementById(`${prefix}-time`);
  return (code, ok, rows, detail = "") => {
    result.hidden = false;
    result.dataset.outcome = ok ? "ok" : "error";
    status.textContent = code;
    if (time) time.textContent = detail;
    fields.replaceChildren(
      ...rows.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]),
    );
  };
}
