import { describe, expect, it } from 'vitest';
import { summarizeVitals } from './vitals';
import { base, stored } from '../tests/unit/support/sessionFixtures';

describe('summarizeVitals', () => {
  it('shows not supported for null, never 0', () => {
    const events = [
      stored({ ...base(1), type: 'vital', name: 'FID', value: null, supported: false, rating: null }),
      stored({ ...base(2), type: 'vital', name: 'LCP', value: 2380.4, supported: true, rating: 'good' }),
      stored({ ...base(3), type: 'vital', name: 'CLS', value: 0.0421, supported: true, rating: 'good' }),
      stored({ ...base(4), type: 'vital', name: 'INP', value: null, supported: true, rating: null }),
      stored({ ...base(5), type: 'vital', name: 'LCP', value: 2500, supported: true, rating: 'needs-improvement' }),
    ];
    const byName = Object.fromEntries(summarizeVitals(events).map((v) => [v.name, v]));
    expect(byName.FID).toMatchObject({ text: 'not supported', measured: false });
    expect(byName.LCP).toMatchObject({ text: '2,500 ms', rating: 'needs-improvement', measured: true });
    expect(byName.CLS?.text).toBe('0.042');
    expect(byName.INP?.text).toBe('not measured');
    expect(byName.TTFB?.text).toBe('not measured');
    expect(summarizeVitals(events).map((v) => v.name)).toEqual(['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP']);
  });
});
