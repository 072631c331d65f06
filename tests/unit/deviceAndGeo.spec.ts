import { describe, expect, it } from 'vitest';
import { geoFromTimeZone } from '../../sdk/model/device/geoFromTimeZone';
import { parseDevice } from '../../sdk/model/device/parseDevice';

describe('geoFromTimeZone (a local estimate, no IP lookup)', () => {
  it('maps common zones to a country, city Unknown', () => {
    expect(geoFromTimeZone('Asia/Kolkata')).toEqual({ country: 'India', city: 'Unknown', region: null });
    expect(geoFromTimeZone('Europe/Berlin').country).toBe('Germany');
    expect(geoFromTimeZone('America/Los_Angeles').country).toBe('United States');
    expect(geoFromTimeZone('Australia/Sydney').country).toBe('Australia');
  });
  it('gives no country for shared or unknown zones', () => {
    for (const zone of ['UTC', 'Etc/GMT+3', 'Mars/Olympus', '', null, undefined]) {
      expect(geoFromTimeZone(zone)).toEqual({ country: null, city: null, region: null });
    }
  });
});

describe('parseDevice (outside the page)', () => {
  const facts = (userAgent: string, maxTouchPoints = 0, mobile = false) => ({
    userAgent,
    maxTouchPoints,
    clientHints: mobile ? { brands: [], platform: 'Android', mobile: true } : null,
  });
  it('names browser, OS and device type as the spec shows them', () => {
    expect(parseDevice(facts('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'))).toMatchObject({
      browser: { name: 'Chrome' },
      os: { name: 'Mac OS X' },
      deviceType: 'Desktop',
    });
    expect(parseDevice(facts('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'))).toMatchObject({
      browser: { name: 'Firefox', version: '140.0' },
      os: { name: 'Linux' },
    });
    expect(parseDevice(facts('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 5, true)).deviceType).toBe('Mobile');
  });
  it('tells an iPad (which says it is a Mac) by its touch points', () => {
    expect(parseDevice(facts('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15', 5))).toMatchObject({
      os: { name: 'iOS' },
      deviceType: 'Tablet',
    });
  });
});
