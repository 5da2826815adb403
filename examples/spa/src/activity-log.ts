import { el } from "./dom.js";

/** How an activity line is coloured. */
export type ActivityKind = "info" | "ok" | "warn" | "error";

/**
 * The "Activity" card: what the SDK and the page did in this tab, newest first.
 *
 * @example
 * const log = createActivityLog(byId("activity", HTMLOListElement));
 * log.add("Logged in as ada@example.com", "ok");
 */
export interface ActivityLog {
  add(message: string, kind?: ActivityKind): void;
}

/**
 * Creates the activity log over an `<ol>`, keeping the newest `limit` lines.
 *
 * @example
 * const log = createActivityLog(list, 10);
 */
export function createActivityLog(list: HTMLOListElement, limit = 14): ActivityLog {
  return {
    add(message, kind = "info") {
      const time = new Date().toLocaleTimeString([], { hour12: false });
      const item = el(
        "li",
        { className: `kind-${kind}` },
        el("time", { text: time }),
        el("span", { text: message }),
      );
      list.prepend(item);
      while (list.children.length > limit) list.lastElementChild?.remove();
    },
  };
}
