/**
 * One log as @datadog/browser-logs / @openobserve/browser-logs send it → a Rumscope console or error event of
 * the RUM session it names (`session_id`, set when the logs SDK runs beside the RUM SDK; a log without one
 * belongs to no session and is left out). Logs carry no id: the derivation key is a digest of the whole log.
 */
import type { ConsoleLevel, RumEvent } from '../../sdk/schema';
import { fingerprint, type MapResult } from './mapRumEvent';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {});
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const ERROR_STATUSES = new Set(['error', 'critical', 'alert', 'emerg']);
const LEVELS: Record<string, ConsoleLevel> = { debug: 'debug', info: 'info', notice: 'info', ok: 'log', warn: 'warn' };

export function mapLogEvent(raw: unknown): MapResult {
  const log = obj(raw);
  const time = typeof log.date === 'number' && Number.isFinite(log.date) ? log.date : null;
  const sessionId = str(log.session_id) ?? str(obj(log.session).id);
  const view = obj(log.view);
  const url = str(view.url);
  const message = str(log.message);
  if (time === null || message === null) return { ok: false, reason: 'a log has no date or message' };
  if (!sessionId || !url) return { ok: false, reason: 'a log names no RUM session (session_id) or page (view.url)' };
  const base = { time, tz: 0, viewId: (str(view.id) ?? 'logs').slice(0, 64) };
  const status = str(log.status) ?? 'info';
  const error = obj(log.error);
  const event: RumEvent = ERROR_STATUSES.has(status)
    ? {
        ...base,
        type: 'error',
        source: str(log.origin) === 'console' ? 'console' : str(log.origin) === 'network' ? 'network' : 'custom',
        errorType: (str(error.kind) ?? 'Error').slice(0, 256),
        message: message.slice(0, 16 * 1024),
        stack: str(error.stack)?.slice(0, 64 * 1024) ?? null,
        frames: [],
      }
    : { ...base, type: 'console', level: LEVELS[status] ?? 'log', message: message.slice(0, 4000), args: [], count: 1 };
  return { ok: true, value: { sessionId, url, sdkVersion: null, items: [{ key: `log:${fingerprint(JSON.stringify(raw))}`, event }] } };
}
