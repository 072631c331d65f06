import { describe, expect, it } from 'vitest';
import { filterFromSearch, searchWithFilter } from './urlState';

describe('the filter in the URL', () => {
  it('keeps the host parameters and round-trips the filter', () => {
    const search = searchWithFilter('?tabId=12&range=1h&country=India', { errors: { preset: 'some' }, browser: ['Firefox'], search: '/checkout' });
    const params = new URLSearchParams(search);
    expect(params.get('tabId')).toBe('12');
    expect(params.get('range')).toBeNull();
    expect(params.getAll('country')).toEqual([]);
    expect(filterFromSearch(search)).toEqual({ filter: { errors: { preset: 'some' }, browser: ['Firefox'], search: '/checkout' }, issues: [] });
    expect(searchWithFilter(search, {})).toBe('?tabId=12');
    expect(searchWithFilter('', {})).toBe('');
  });

  it('reports parameters it cannot read', () => {
    expect(filterFromSearch('?errors=lots&tabId=3').issues).toEqual(['errors: expected none, some, many, critical or min-max, got "lots"']);
  });
});
