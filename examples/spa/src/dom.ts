/**
 * The element with this id, typed; throws when the page markup lacks it (a build mistake).
 *
 * @example
 * const button = byId("logout", HTMLButtonElement);
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} missing from the page`);
  return element;
}

/**
 * Creates an element with text content and classes. Text is never parsed as HTML, so values
 * from the server (user agents, e-mails) cannot inject markup.
 *
 * @example
 * list.append(el("li", { className: "item", text: session.ip }));
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string; title?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className !== undefined) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  if (options.title !== undefined) element.title = options.title;
  element.append(...children);
  return element;
}

/**
 * Shows `message` in an error slot, or hides the slot when `message` is null.
 *
 * @example
 * showError(byId("account-error", HTMLParagraphElement), "Wrong email or password.");
 */
export function showError(slot: HTMLElement, message: string | null): void {
  slot.hidden = message === null;
  slot.textContent = message ?? "";
}
