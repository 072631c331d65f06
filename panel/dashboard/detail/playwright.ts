/**
 * "Export as Playwright test": the session's steps as a runnable @playwright/test script — navigations,
 * clicks and form fills by the recorded selectors, masked values as named placeholders (read from the
 * environment), an assertion on each page view's URL and on the errors the session saw.
 */
import type { ErrorEvent, SessionRecord, StoredEvent } from '../../../sdk/schema';
import { sessionSteps, type Step } from './steps';

const lit = (text: string) => JSON.stringify(text);

/** "Email address" → "emailAddress"; never empty, never starting with a digit. */
export function placeholderName(label: string, fallback: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\w\s]/g, ' ')
    .trim()
    .split(/[\s_]+/)
    .filter(Boolean)
    .slice(0, 5);
  const name = words.map((w, i) => (i ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join('');
  return name && !/^\d/.test(name) ? name : fallback;
}

/** Env variable of a placeholder: emailAddress → RUMSCOPE_INPUT_EMAIL_ADDRESS. */
const envName = (name: string) => `RUMSCOPE_INPUT_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A URL assertion: exact, or origin + path when the recorded URL had redacted parameters. */
function urlMatcher(url: string): string {
  if (!url.includes('REDACTED')) return lit(url);
  const cut = url.split(/[?#]/)[0]!;
  return `/^${escapeRegExp(cut)}/`;
}

const locator = (selector: string | null, byText: string, kind: 'text' | 'label') =>
  selector ? `page.locator(${lit(selector)})` : kind === 'label' ? `page.getByLabel(${lit(byText)})` : `page.getByText(${lit(byText)}).first()`;

/** The capture names a select's tag in its selector (`select#country`, `form > select:nth-of-type(2)`): choose, do not type. */
const isSelect = (selector: string | null) => selector !== null && /^select(?![\w-])/.test(selector.split('>').pop()!.trim());

/** Error sources a page sees as an uncaught error or a console.error, which the test can observe. */
const OBSERVABLE: ReadonlySet<ErrorEvent['source']> = new Set(['uncaught', 'unhandledrejection', 'console']);

export function toPlaywrightTest(session: SessionRecord, events: readonly StoredEvent[]): string {
  const steps = sessionSteps(events);
  const placeholders = new Map<string, { name: string; label: string; selector: string | null }>();
  const used = new Set<string>();
  const placeholderFor = (step: Extract<Step, { kind: 'input' }>) => {
    const key = step.selector ?? `label:${step.label}`;
    let p = placeholders.get(key);
    if (!p) {
      let name = placeholderName(step.label, 'field');
      for (let i = 2; used.has(name); i++) name = `${placeholderName(step.label, 'field')}${i}`;
      used.add(name);
      placeholders.set(key, (p = { name, label: step.label, selector: step.selector }));
    }
    return p.name;
  };

  const body: string[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'open':
        body.push(`await page.goto(${lit(step.url)});`);
        break;
      case 'reload':
        body.push('await page.reload();');
        break;
      case 'back':
        body.push('await page.goBack();');
        break;
      case 'navigated':
        break;
      case 'click':
        body.push(`await ${locator(step.selector, step.name, 'text')}.click();`);
        break;
      case 'input':
        body.push(`await ${locator(step.selector, step.label, 'label')}.${isSelect(step.selector) ? 'selectOption' : 'fill'}(inputs.${placeholderFor(step)});`);
        break;
      case 'submit':
        body.push(
          step.selector
            ? `await page.locator(${lit(step.selector)}).evaluate((form) => (form as HTMLFormElement).requestSubmit());`
            : `// The session submitted a form here (no selector recorded): ${step.name}`,
        );
        break;
      case 'custom':
        body.push(`// The app reported the action ${lit(step.name)} here.`);
        break;
    }
    if (step.kind === 'open' || step.kind === 'navigated' || step.kind === 'reload' || step.kind === 'back') {
      body.push(`await expect(page).toHaveURL(${urlMatcher(step.url)});`);
    }
  }

  const errors = events.filter((e): e is StoredEvent & ErrorEvent => e.type === 'error').sort((a, b) => a.time - b.time);
  const seen = [...new Set(errors.filter((e) => OBSERVABLE.has(e.source)).map((e) => e.message.slice(0, 80)))];
  const unobservable = [...new Set(errors.filter((e) => !OBSERVABLE.has(e.source)).map((e) => `${e.source}: ${e.message}`))];
  if (seen.length) {
    body.push('', '// The errors the session saw: the test passes while the bug reproduces.');
    body.push(`await expect.poll(() => pageErrors).toEqual(expect.arrayContaining([`);
    for (const message of seen) body.push(`  expect.stringContaining(${lit(message)}),`);
    body.push(']));');
  } else {
    body.push('', '// The session saw no error in the page.', 'expect(pageErrors).toEqual([]);');
  }
  for (const line of unobservable.slice(0, 20)) body.push(`// Also recorded (not visible to the page as an error): ${line.replace(/\s+/g, ' ').slice(0, 200)}`);

  const inputs = [...placeholders.values()];
  const out = [
    "import { test, expect } from '@playwright/test';",
    '',
    `// Exported by Rumscope from session ${session.id} on ${session.site} (${new Date(session.startedAt).toISOString()}).`,
  ];
  if (inputs.length) {
    out.push('// Values masked in the session: set them in the environment, or write them here.', 'const inputs = {');
    for (const p of inputs) out.push(`  ${p.name}: process.env.${envName(p.name)} ?? '', // ${lit(p.label)}${p.selector ? ` ${p.selector}` : ''}`);
    out.push('};');
  }
  out.push(
    '',
    `test(${lit(`session ${session.id}`)}, async ({ page }) => {`,
    '  const pageErrors: string[] = [];',
    "  page.on('pageerror', (error) => pageErrors.push(error.message));",
    "  page.on('console', (message) => {",
    "    if (message.type() === 'error') pageErrors.push(message.text());",
    '  });',
    '',
    ...body.map((line) => (line ? `  ${line}` : '')),
    '});',
    '',
  );
  return out.join('\n');
}
