/**
 * A tiny element builder: the page is a handful of tables and forms, so plain DOM is enough and
 * keeps the bundle small. Text always goes in as text nodes (never innerHTML), so document
 * contents, which come from backends and users, cannot inject markup.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  append(el, children);
}

/** A status as a coloured badge (the colour comes from the CSS class of the status). */
export function badge(status: unknown): HTMLElement {
  const s = typeof status === 'string' ? status : 'unknown';
  return h('span', { class: `badge status-${s}`, 'data-status': s }, s);
}

/** A message box: `error` for failures the operator should read, `info` otherwise. */
export function notice(kind: 'error' | 'info' | 'ok', ...text: Child[]): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...text);
}

/** What a page gives the router: its element, and how to stop its listeners when left. */
export interface Page {
  el: HTMLElement;
  dispose(): void;
}

/** An error as one line: a callable's code and message, or Firestore's. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const { code, message } = err as { code: unknown; message: unknown };
    return `${String(code)}: ${String(message).replace(/^Firebase: /, '')}`;
  }
  return err instanceof Error ? err.message : String(err);
}
