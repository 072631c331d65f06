const MAX_NAME = 100;

const squash = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);

/**
 * A readable name for a clicked element: data attributes first, then aria-label, then visible text.
 * Input values are never read (only a field's label or placeholder).
 */
export function getActionName(target: Element): string {
  let el: Element | null = target;
  for (let depth = 0; el && depth < 10; depth++, el = el.parentElement) {
    const named =
      el.getAttribute('data-oo-action-name') ??
      el.getAttribute('data-dd-action-name') ??
      el.getAttribute('data-rumscope-name') ??
      el.getAttribute('aria-label') ??
      el.getAttribute('title');
    if (named) return squash(named);
    const tag = el.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      const input = el as HTMLInputElement;
      if (input.type === 'button' || input.type === 'submit') return squash(input.value);
      const label = input.labels?.[0]?.textContent ?? input.getAttribute('placeholder') ?? input.name;
      return squash(label || tag.toLowerCase());
    }
    const text = (el as HTMLElement).innerText ?? el.textContent ?? '';
    if (text.trim()) return squash(text);
  }
  return target.tagName.toLowerCase();
}

/** A short CSS selector: the nearest id, then tag and classes down to the target. */
export function getSelector(target: Element): string {
  const parts: string[] = [];
  let el: Element | null = target;
  while (el && el.nodeType === 1 && parts.length < 6) {
    if (el.id && /^[A-Za-z][\w-]*$/.test(el.id)) {
      parts.unshift(`#${el.id}`);
      break;
    }
    let part = el.tagName.toLowerCase();
    const classes = Array.from(el.classList).filter((c) => /^[A-Za-z][\w-]*$/.test(c)).slice(0, 2);
    if (classes.length) part += '.' + classes.join('.');
    const parent: Element | null = el.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter((c) => c.tagName === el!.tagName);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(el) + 1})`;
    }
    parts.unshift(part);
    el = parent;
  }
  return parts.join(' > ');
}
