/**
 * Pure display formatters for the Sessions panel. No DOM, no globals except Intl:
 * the time zone is a parameter (default: the viewer's own) so tests can pin it.
 */
import type { GeoInfo, NamedVersion, SessionRecord } from '../sdk/schema';

const UNKNOWN = 'Unknown';

/** Cache: building an Intl.DateTimeFormat is far costlier than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'date' | 'clock' | 'offset', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'offset'
        ? { timeZone, timeZoneName: 'longOffset' }
        : kind === 'clock'
          ? { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
          : {
              timeZone,
              year: 'numeric',
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              second: '2-digit',
              hourCycle: 'h23',
            };
    f = new Intl.DateTimeFormat('en-US', options);
    formatters.set(key, f);
  }
  return f;
}

function parts(f: Intl.DateTimeFormat, time: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(time)) out[p.type] = p.value;
  return out;
}

/** "+05:30", "-03:00", "+00:00": the zone's UTC offset at that instant. */
export function formatOffset(time: number, timeZone?: string): string {
  const name = parts(formatter('offset', timeZone), time).timeZoneName ?? 'GMT';
  // longOffset gives "GMT" for UTC, "GMT+05:30" / "GMT-03:00" otherwise (older engines: "GMT+5").
  const m = /([+-])(\d{1,2})(?::?(\d{2}))?/.exec(name);
  if (!m) return '+00:00';
  return `${m[1]}${m[2]!.padStart(2, '0')}:${m[3] ?? '00'}`;
}

/** Timestamps formatted lately: a list shows the same rows again on every refresh (formatToParts costs ~0.1 ms). */
const timestamps = new Map<string, string>();
const KEPT_TIMESTAMPS = 2_000;

/** "Dec 5, 2025 17:42:20 +05:30" in the given zone (default: the viewer's). */
export function formatTimestamp(time: number, timeZone?: string): string {
  const key = `${time}|${timeZone ?? ''}`;
  let text = timestamps.get(key);
  if (text === undefined) {
    const p = parts(formatter('date', timeZone), time);
    text = `${p.month} ${p.day}, ${p.year} ${p.hour}:${p.minute}:${p.second} ${formatOffset(time, timeZone)}`;
    if (timestamps.size >= KEPT_TIMESTAMPS) timestamps.delete(timestamps.keys().next().value!);
    timestamps.set(key, text);
  }
  return text;
}

/** "17:42:20" in the given zone: timeline rows, where the date is already known. */
export function formatClock(time: number, timeZone?: string): string {
  const p = parts(formatter('clock', timeZone), time);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/**
 * A duration in ms as the spec shows it: "42 s" under a minute, "5.18 min" under an hour, "1.46 hr" above.
 * Truncates rather than rounds, so 59.9 s is "59 s" and 3599 s is "59.98 min", never "60.00 min".
 */
export function formatDuration(ms: number): string {
  const whole = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
  if (whole < 60_000) return `${Math.floor(whole / 1000)} s`;
  // Integer maths: floor(whole * 100 / unit) is exact, so 1.46 hr never shows as 1.45 hr.
  if (whole < 3_600_000) return `${(Math.floor((whole * 100) / 60_000) / 100).toFixed(2)} min`;
  return `${(Math.floor((whole * 100) / 3_600_000) / 100).toFixed(2)} hr`;
}

/** Time Spent column: lastEventAt - startedAt. */
export function formatTimeSpent(session: Pick<SessionRecord, 'startedAt' | 'lastEventAt'>): string {
  return formatDuration(session.lastEventAt - session.startedAt);
}

/** Error Count column: a plain number. */
export function formatErrorCount(session: Pick<SessionRecord, 'counts'>): string {
  return String(session.counts.errors);
}

function known(value: string | null | undefined): string {
  const trimmed = value?.trim();
  return trimmed ? trimmed : UNKNOWN;
}

/** "India - Unknown" */
export function formatGeo(geo: Pick<GeoInfo, 'country' | 'city'>): string {
  return `${known(geo.country)} - ${known(geo.city)}`;
}

/** Location column: "India - Unknown · Chrome · Mac OS X". */
export function formatLocation(session: Pick<SessionRecord, 'geo' | 'browser' | 'os'>): string {
  return `${formatGeo(session.geo)} · ${known(session.browser.name)} · ${known(session.os.name)}`;
}

/** "Chrome 131.0", "Chrome", "Unknown": the detail view shows versions. */
export function formatNamedVersion(value: NamedVersion): string {
  const name = known(value.name);
  return value.version ? `${name} ${value.version}` : name;
}

/** "1920 × 1080", or "Unknown". */
export function formatSize(size: { width: number; height: number } | null): string {
  return size ? `${size.width} × ${size.height}` : UNKNOWN;
}

/** Milliseconds for small figures: "0.4 ms", "12 ms", "1,204 ms". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 10 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** User Email column; empty when no user context was set. */
export function formatUserEmail(session: Pick<SessionRecord, 'user'>): string {
  const email = session.user?.email;
  return typeof email === 'string' ? email : '';
}

/** "812 B", "14.3 KB", "1.2 MB", "3.40 GB" (decimal units, as the storage settings use). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return UNKNOWN;
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}

/** Names the region table spells otherwise than the time-zone estimate or geo databases do. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  'hong kong': 'HK', macau: 'MO', macao: 'MO', turkey: 'TR', 'czech republic': 'CZ', russia: 'RU', 'south korea': 'KR',
  'north korea': 'KP', vietnam: 'VN', 'united states of america': 'US', usa: 'US', uk: 'GB', 'ivory coast': 'CI',
  'bosnia and herzegovina': 'BA', 'myanmar (burma)': 'MM', burma: 'MM', palestine: 'PS', 'the netherlands': 'NL',
};
let countryCodes: Map<string, string> | null = null;

/** ISO 3166 alpha-2 code of a country name ("India" → "IN"), from the browser's own region names; null if unknown. */
export function countryCode(country: string | null | undefined): string | null {
  const name = country?.trim().toLowerCase();
  if (!name || name === UNKNOWN.toLowerCase()) return null;
  if (/^[a-z]{2}$/.test(name)) return name.toUpperCase();
  if (!countryCodes) {
    countryCodes = new Map(Object.entries(COUNTRY_ALIASES));
    try {
      const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
      for (let a = 65; a <= 90; a++) {
        for (let b = 65; b <= 90; b++) {
          const code = String.fromCharCode(a, b);
          const label = names.of(code);
          if (label && !countryCodes.has(label.toLowerCase())) countryCodes.set(label.toLowerCase(), code);
        }
      }
    } catch {
      // No region names in this runtime: the aliases only.
    }
  }
  return countryCodes.get(name) ?? null;
}

/** The country's flag (two regional indicator symbols), or '' when the country is unknown. */
export function countryFlag(country: string | null | undefined): string {
  const code = countryCode(country);
  return code ? String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65)) : '';
}
