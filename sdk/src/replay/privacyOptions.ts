import { getPrivacyLevel, type PrivacyLevel } from '../domain/privacy/getPrivacyLevel';

const ATTRS = ['data-oo-privacy', 'data-dd-privacy'];
const attrIs = (value: string) => ATTRS.map((name) => `[${name}="${value}"]`).join(',');

/** Inputs whose value is a secret whatever the privacy level says (passwords, one-time codes, card data). */
const SECRET_AUTOCOMPLETE = /password|one-time-code|cc-/i;

function isSecretInput(element: HTMLElement): boolean {
  if (element.hasAttribute('data-rr-is-password')) return true; // rrweb: was a password before a "show" toggle
  const input = element as HTMLInputElement;
  if (String(input.type).toLowerCase() === 'password') return true;
  return SECRET_AUTOCOMPLETE.test(element.getAttribute('autocomplete') ?? '');
}

const mask = (text: string) => text.replace(/\S/g, '*');

/**
 * rrweb options for a privacy level ('allow' | 'mask-user-input' | 'mask'), with the page's own
 * data-oo-privacy / data-dd-privacy = hidden | mask | allow on elements and their subtrees:
 * - hidden: the element is blocked (rrweb keeps an empty box of its size; nothing of its content is recorded);
 * - mask: its text and input values are replaced by '*';
 * - every input is masked unless its level is 'allow'; passwords always (also after a type toggle: rrweb marks a
 *   field that was a password with data-rr-is-password, and the field's value is masked from then on).
 * Text masking is decided per text node by maskTextFn, so an 'allow' subtree inside a 'mask' page is readable.
 */
export function privacyOptions(level: Exclude<PrivacyLevel, 'hidden'>) {
  const maskAll = level === 'mask';
  return {
    blockSelector: [attrIs('hidden'), ...(maskAll ? ['img', 'video', 'picture', 'object', 'embed'] : [])].join(','),
    maskTextSelector: maskAll ? '*' : attrIs('mask'),
    // Every input goes through maskInputFn, which decides per element.
    maskAllInputs: true,
    maskInputFn: (text: string, element: HTMLElement) => {
      if (isSecretInput(element)) return '*'.repeat(text.length);
      return getPrivacyLevel(element, level) === 'allow' ? text : mask(text);
    },
    maskTextFn: (text: string, element: HTMLElement | null) => {
      const own = getPrivacyLevel(element, level);
      return own === 'allow' || own === 'mask-user-input' ? text : mask(text);
    },
  };
}
