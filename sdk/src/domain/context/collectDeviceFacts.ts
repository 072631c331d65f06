import type { DeviceFacts } from '../../../schema';

let timeZone: string | undefined;

interface NavigatorExtras {
  userAgentData?: { brands?: { brand: string; version: string }[]; platform?: string; mobile?: boolean };
  connection?: { type?: string; effectiveType?: string };
}

/**
 * Raw facts only: parsing them into browser / OS / device type happens outside the page.
 * The IANA time zone costs 20-35 ms in a fresh page (Intl loads its data on first use), so the extension
 * leaves it empty and takes the browser's own in the background; the standalone SDK reads it once.
 */
export function collectDeviceFacts(withTimeZone: boolean): DeviceFacts {
  const nav = navigator as Navigator & NavigatorExtras;
  const hints = nav.userAgentData;
  return {
    userAgent: nav.userAgent,
    clientHints: hints
      ? {
          brands: (hints.brands ?? []).map((b) => ({ brand: String(b.brand), version: String(b.version) })),
          platform: String(hints.platform ?? ''),
          mobile: !!hints.mobile,
        }
      : null,
    screen: { width: screen.width, height: screen.height },
    viewport: { width: innerWidth, height: innerHeight },
    pixelRatio: devicePixelRatio || 1,
    language: nav.language || '',
    timeZone: (withTimeZone && (timeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || '')) || '',
    connectionType: nav.connection?.type ?? null,
    effectiveType: nav.connection?.effectiveType ?? null,
    maxTouchPoints: nav.maxTouchPoints || 0,
  };
}
