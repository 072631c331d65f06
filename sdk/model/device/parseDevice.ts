import Bowser from 'bowser';
import type { DeviceFacts, DeviceType, NamedVersion } from '../../schema';

export interface ParsedDevice {
  browser: NamedVersion;
  os: NamedVersion;
  deviceType: DeviceType;
}

const OS_NAMES: Record<string, string> = { macOS: 'Mac OS X' };

/** Browser, OS and device type from the raw user agent (parsed outside the page, so a parser fix reaches old sessions). */
export function parseDevice(facts: Pick<DeviceFacts, 'userAgent' | 'clientHints' | 'maxTouchPoints'>): ParsedDevice {
  const parsed = Bowser.parse(facts.userAgent || '');
  let browserName = parsed.browser.name ?? null;
  if (browserName === 'Chromium' || browserName === 'Chrome') {
    // Debian's Chromium and Google Chrome are both "Chrome" to a user; brands say which one it is.
    browserName = 'Chrome';
  }
  let osName = parsed.os.name ? OS_NAMES[parsed.os.name] ?? parsed.os.name : null;
  let deviceType: DeviceType =
    parsed.platform.type === 'mobile' ? 'Mobile' : parsed.platform.type === 'tablet' ? 'Tablet' : 'Desktop';
  // iPadOS reports itself as a Mac; touch points tell it apart.
  if (osName === 'Mac OS X' && facts.maxTouchPoints > 1) {
    deviceType = 'Tablet';
    osName = 'iOS';
  }
  if (facts.clientHints?.mobile) deviceType = 'Mobile';
  return {
    browser: { name: browserName, version: parsed.browser.version ?? null },
    os: { name: osName, version: parsed.os.version ?? parsed.os.versionName ?? null },
    deviceType,
  };
}
