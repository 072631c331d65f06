import { describe, expect, it } from 'vitest';
import { computeTiming } from './computeTiming';
import { getResourceType } from './getResourceType';

const entry = (over: Partial<PerformanceResourceTiming>) =>
  ({
    name: 'http://a.test/app.js',
    initiatorType: 'script',
    startTime: 100,
    fetchStart: 100,
    domainLookupStart: 101,
    domainLookupEnd: 111,
    connectStart: 111,
    secureConnectionStart: 0,
    connectEnd: 131,
    requestStart: 132,
    responseStart: 182,
    responseEnd: 200,
    duration: 100,
    ...over,
  }) as PerformanceResourceTiming;

describe('computeTiming', () => {
  it('breaks a same-origin (or Timing-Allow-Origin) entry into DNS, connect, TLS, request and response', () => {
    expect(computeTiming(entry({}))).toEqual({ dns: 10, connect: 20, tls: 0, request: 50, response: 18 });
    expect(computeTiming(entry({ secureConnectionStart: 121 }))?.tls).toBe(10);
  });

  it('gives null, "not available", for a cross-origin entry without Timing-Allow-Origin, never zeros', () => {
    const hidden = entry({ domainLookupStart: 0, domainLookupEnd: 0, connectStart: 0, connectEnd: 0, requestStart: 0, responseStart: 0 });
    expect(computeTiming(hidden)).toBeNull();
  });
});

describe('getResourceType', () => {
  it('names the type from the initiator, then the file extension', () => {
    expect(getResourceType({ initiatorType: 'xmlhttprequest', name: 'http://a.test/api' })).toBe('xhr');
    expect(getResourceType({ initiatorType: 'fetch', name: 'http://a.test/api' })).toBe('fetch');
    expect(getResourceType({ initiatorType: 'link', name: 'http://a.test/site.css?v=1' })).toBe('css');
    expect(getResourceType({ initiatorType: 'css', name: 'http://a.test/f.woff2' })).toBe('font');
    expect(getResourceType({ initiatorType: 'css', name: 'http://a.test/bg.png' })).toBe('image');
    expect(getResourceType({ initiatorType: 'other', name: 'http://a.test/x' })).toBe('other');
  });
});
