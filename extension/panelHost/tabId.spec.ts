import { describe, expect, it } from 'vitest';
import { readTabId } from './tabId';

describe('readTabId', () => {
  it('reads ?tabId', () => {
    expect(readTabId('?tabId=42')).toBe(42);
    expect(readTabId('?tabId=0')).toBe(0);
    expect(readTabId('')).toBeNull();
    expect(readTabId('?tabId=-1')).toBeNull();
    expect(readTabId('?tabId=abc')).toBeNull();
  });
});
