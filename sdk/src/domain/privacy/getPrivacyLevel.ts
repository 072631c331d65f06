export type PrivacyLevel = 'allow' | 'mask' | 'mask-user-input' | 'hidden';

const LEVELS = ['allow', 'mask', 'mask-user-input', 'hidden'];

/**
 * An element's privacy level: the nearest data-oo-privacy / data-dd-privacy attribute (the peers' names)
 * on it or an ancestor, else the configured default. 'hidden' anywhere above wins over everything below.
 */
export function getPrivacyLevel(element: Element | null, defaultLevel: PrivacyLevel): PrivacyLevel {
  let found: PrivacyLevel | undefined;
  for (let el = element; el; el = el.parentElement) {
    const value = el.getAttribute('data-oo-privacy') ?? el.getAttribute('data-dd-privacy');
    if (value === 'hidden') return 'hidden';
    if (!found && value && LEVELS.includes(value)) found = value as PrivacyLevel;
  }
  return found ?? defaultLevel;
}
