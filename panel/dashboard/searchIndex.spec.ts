import { describe, expect, it } from 'vitest';
import type { RumEvent } from '../../sdk/schema';
import { base } from '../../tests/unit/support/sessionFixtures';
import { createSearchIndex, eventTexts, loadSearchIndex, MAX_TEXTS_PER_SESSION, snippet } from './searchIndex';

const view = (url: string, title = ''): RumEvent => ({ ...base(1), type: 'view', url, referrer: '', title, navigation: 'initial', loadingTime: null });
const error = (message: string, errorType = 'TypeError'): RumEvent => ({ ...base(2), type: 'error', source: 'uncaught', errorType, message, stack: null, frames: [] });
const action = (name: string, selector: string | null = null): RumEvent => ({
  ...base(3),
  type: 'action',
  action: 'click',
  name,
  selector,
  x: null,
  y: null,
  rage: false,
  dead: false,
  errorClick: false,
});
const api = (method: string, url: string, status: number): RumEvent => ({
  ...base(4),
  type: 'api',
  via: 'fetch',
  method,
  url,
  status,
  duration: 10,
  requestSize: null,
  responseSize: null,
  timing: null,
});
const context = (global: Record<string, string | number | boolean>, email?: string): RumEvent => ({
  ...base(5),
  type: 'context',
  cause: 'change',
  device: {
    userAgent: '',
    clientHints: null,
    screen: { width: 1, height: 1 },
    viewport: { width: 1, height: 1 },
    pixelRatio: 1,
    language: 'en',
    timeZone: '',
    connectionType: null,
    effectiveType: null,
    maxTouchPoints: 0,
  },
  app: { service: null, env: null, version: null },
  user: email ? { email } : null,
  global,
});

function seeded() {
  const index = createSearchIndex();
  index.addEvents('s1', [view('http://shop.test/cart', 'Cart'), action('Add to cart', 'button#add'), error("Cannot read properties of undefined (reading 'price')")]);
  index.addEvents('s2', [view('http://shop.test/checkout'), api('POST', 'http://shop.test/api/pay', 500), context({ subscription_plan: 'premium', new_checkout_enabled: true }, 'ann@example.com')]);
  index.addEvents('s3', [view('http://shop.test/'), action('Sign in')]);
  return index;
}

describe('search index', () => {
  it.each<[string, string[]]>([
    ['cart', ['s1']],
    ['checkout', ['s2']],
    ['/api/pay', ['s2']],
    ['500', ['s2']],
    ['price', ['s1']],
    ['TypeError', ['s1']],
    ['Add to cart', ['s1']],
    ['button#add', ['s1']],
    ['premium', ['s2']],
    ['subscription_plan', ['s2']],
    ['ann@example.com', ['s2']],
    ['shop.test', ['s1', 's2', 's3']],
    ['chek', []],
    ['checkuot', ['s2']], // fuzzy
    ['sig', ['s3']], // prefix
    ['cart premium', []], // every term must match the same session
    ['checkout premium', ['s2']], // terms may match different texts of one session
    ['', []],
    ['   ', []],
  ])('"%s" finds %j', (query, ids) => {
    expect(seeded().search(query).map((h) => h.sessionId).sort()).toEqual(ids);
  });

  it('limits to the kinds asked for and returns snippets', () => {
    const index = seeded();
    expect(index.search({ text: 'cart', kinds: ['error'] })).toEqual([]);
    const [hit] = index.search({ text: 'cart', kinds: ['action'] });
    expect(hit).toMatchObject({ sessionId: 's1', snippets: [{ kind: 'action', text: 'Add to cart button#add', terms: ['cart'] }] });
    expect(index.search({ text: 'shop', limit: 2 })).toHaveLength(2);
    expect(index.sessionIds('checkout')).toEqual(new Set(['s2']));
    const [first, second] = index.search({ text: 'shop', snippets: 1 });
    expect(first!.snippets).not.toEqual([]);
    expect(second!.snippets).toEqual([]);
  });

  it('finds a session by what its page wrote to the console', () => {
    const index = createSearchIndex();
    const log: RumEvent = { type: 'console', ...base(1000), level: 'warn', message: 'Inventory sync lagging behind', args: [], count: 1 };
    index.addEvents('s9', [log]);
    const [hit] = index.search({ text: 'inventory lagging' });
    expect(hit).toMatchObject({ sessionId: 's9', snippets: [{ kind: 'console', text: 'warn: Inventory sync lagging behind' }] });
    expect(index.search({ text: 'inventory', kinds: ['url'] })).toEqual([]);
  });

  it('indexes each distinct text of a session once, and removes a session', () => {
    const index = seeded();
    const docs = index.textCount;
    expect(index.addEvents('s1', [view('http://shop.test/cart', 'Cart'), error("Cannot read properties of undefined (reading 'price')")])).toBe(0);
    expect(index.textCount).toBe(docs);
    expect(index.addEvents('s1', [error('Payment declined', 'Error')])).toBe(1);
    expect(index.search('declined').map((h) => h.sessionId)).toEqual(['s1']);
    index.removeSession('s1');
    expect(index.hasSession('s1')).toBe(false);
    expect(index.search('cart')).toEqual([]);
    expect(index.sessionCount).toBe(2);
    index.removeSession('nope');
  });

  it('caps what one session indexes', () => {
    const index = createSearchIndex();
    const many = Array.from({ length: MAX_TEXTS_PER_SESSION + 5 }, (_, i) => view(`http://x.test/p${i}`));
    expect(index.addEvents('big', many)).toBe(MAX_TEXTS_PER_SESSION);
  });

  it('indexes the session record attributes', () => {
    const index = createSearchIndex();
    index.addSession({ id: 's9', user: { id: 'u-42', name: 'Ann' }, global: { plan: 'gold', age: 45 } });
    expect(index.sessionIds('gold')).toEqual(new Set(['s9']));
    expect(index.sessionIds('u-42')).toEqual(new Set(['s9']));
    expect(index.sessionIds('45')).toEqual(new Set(['s9']));
  });

  it('survives toJSON / loadJSON, and keeps working after it', () => {
    const index = seeded();
    index.removeSession('s3');
    const text = JSON.stringify(index.toJSON());
    const loaded = loadSearchIndex(text);
    expect(loaded.search('checkout premium').map((h) => h.sessionId)).toEqual(['s2']);
    expect(loaded.search('sign')).toEqual([]);
    expect(loaded.textCount).toBe(index.textCount);
    expect(loaded.addEvents('s1', [view('http://shop.test/cart', 'Cart')])).toBe(0);
    loaded.addEvents('s4', [error('Quota exceeded')]);
    expect(loaded.sessionIds('quota')).toEqual(new Set(['s4']));
    expect(loadSearchIndex(loaded.toJSON()).sessionIds('quota')).toEqual(new Set(['s4']));
  });

  it.each(['{}', 'null', '{"version":2,"docs":[],"nextId":1,"index":{}}'])('refuses %s with a clear error', (json) => {
    expect(() => loadSearchIndex(json)).toThrow(/not a Rumscope search index/);
  });

  it('ignores events without text and cuts snippets around the match', () => {
    expect(eventTexts({ ...base(1), type: 'activity', kind: 'key' })).toEqual([]);
    const long = `${'a '.repeat(100)}needle ${'b '.repeat(100)}`;
    const cut = snippet(long, ['needle']);
    expect(cut).toContain('needle');
    expect(cut.startsWith('…') && cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(122);
  });
});
