import type { PrivacyLevel } from '../privacy/getPrivacyLevel';

const MAX_NAME = 100;
export const MASKED = 'Masked Element';

const squash = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
const SKIP_TEXT = /^(SCRIPT|STYLE|NOSCRIPT|TEXTAREA|SELECT|OPTION|TEMPLATE)$/;

/** The first ~100 characters of visible-ish text under an element, without building the whole string. */
function textOf(el: Element): string {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let text = '';
  for (let node = walker.nextNode(); node && text.length < MAX_NAME * 2; node = walker.nextNode()) {
    if (!SKIP_TEXT.test(node.parentElement?.tagName ?? '')) text += ' ' + node.nodeValue;
  }
  return squash(text);
}

/**
 * A readable name for a clicked element: the page's own data attributes first, then aria-label, title,
 * a field's label or placeholder, then visible text. A field's value is never read, whatever the privacy
 * level (only a button's caption). Under 'mask' or 'hidden' only the data attributes may name it.
 */
export function getActionName(target: Element, privacy: PrivacyLevel = 'mask-user-input'): string {
  let el: Element | null = target;
  for (let depth = 0; el && depth < 10; depth++, el = el.parentElement) {
    const programmatic = el.getAttribute('data-oo-action-name') ?? el.getAttribute('data-dd-action-name') ?? el.getAttribute('data-rumscope-name');
    if (programmatic) return squash(programmatic);
    if (privacy === 'mask' || privacy === 'hidden') continue;
    const named = el.getAttribute('aria-label') ?? el.getAttribute('title');
    if (named) return squash(named);
    const tag = el.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      const input = el as HTMLInputElement;
      if (/^(button|submit|reset)$/.test(input.type)) return squash(input.value || input.type);
      const label = (input.labels?.[0] && textOf(input.labels[0])) || input.getAttribute('placeholder') || input.name;
      return squash(label || tag.toLowerCase());
    }
    const text = textOf(el);
    if (text) return text;
  }
  return privacy === 'mask' || privacy === 'hidden' ? MASKED : target.tagName.toLowerCase();
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
    if (parent && parent.children.length > 1) {
      let index = 0;
      let same = 0;
      for (const child of parent.children) {
        if (child.tagName === el.tagName) same++;
        if (child === el) index = same;
      }
      if (same > 1) part += `:nth-of-type(${index})`;
    }
    parts.unshift(part);
    el = parent;
  }
  return parts.join(' > ');
}
