import { describe, expect, it } from 'vitest';
import { createVisitorIds, VISITOR_IDS_KEY } from './visitorIds';

/** storage.local as a plain object. */
function memoryArea(initial: Record<string, unknown> = {}) {
  const data: Record<string, unknown> = structuredClone(initial);
  return {
    data,
    get: async (key: string) => (key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)),
  };
}

describe('per-site visitor ids', () => {
  it('makes one id per site, keeps it in storage and finds it again after a restart of the background', async () => {
    const area = memoryArea();
    let n = 0;
    const lookup = await createVisitorIds(area as never, () => `id-${++n}`).ready();
    expect([lookup('https://a.test'), lookup('https://b.test'), lookup('https://a.test')]).toEqual(['id-1', 'id-2', 'id-1']);
    await new Promise((r) => setTimeout(r, 0));
    expect(area.data[VISITOR_IDS_KEY]).toEqual({ 'https://a.test': 'id-1', 'https://b.test': 'id-2' });

    const restarted = await createVisitorIds(area as never, () => 'never').ready();
    expect(restarted('https://a.test')).toBe('id-1');
    expect(restarted('https://c.test')).toBe('never');
  });

  it('ignores what is not an id in storage', async () => {
    const area = memoryArea({ [VISITOR_IDS_KEY]: { 'https://a.test': 42, 'https://b.test': 'kept' } });
    const lookup = await createVisitorIds(area as never, () => 'fresh').ready();
    expect([lookup('https://a.test'), lookup('https://b.test')]).toEqual(['fresh', 'kept']);
  });
});
