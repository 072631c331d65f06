/**
 * Runs retention (storage/retention.ts): hourly (chrome.alarms, so a stopped worker is woken for it),
 * when the worker starts, when the retention settings change, and shortly after writes (so the size cap
 * holds while recording). Passes never overlap.
 */
import type { RumscopeSettings } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import { runRetention } from '../storage/retention';

type RetentionResult = Awaited<ReturnType<typeof runRetention>>;
import { ext } from '../platform';
import type { SessionTimeouts } from '../../sdk/model/sessionRules';

export const RETENTION_ALARM = 'rumscope.retention';
const PERIOD_MINUTES = 60;
/** After a write, wait this long for more before checking the size cap. */
const AFTER_WRITE_MS = 2000;

export interface RetentionDeps {
  db: RumscopeDb;
  settings: () => Promise<RumscopeSettings>;
  timeouts?: () => Promise<SessionTimeouts | undefined>;
  now?: () => number;
}

export function startRetention(deps: RetentionDeps) {
  const now = deps.now ?? Date.now;
  let running: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = (): Promise<RetentionResult> => {
    const pass = running
      .catch(() => {})
      .then(async () => {
        const settings = await deps.settings();
        const timeouts = await deps.timeouts?.();
        return runRetention(deps.db, {
          days: settings.retention.days,
          capBytes: Math.round(settings.retention.maxStorageMb * 1_000_000),
          now: now(),
          ...(timeouts ? { timeouts } : {}),
          estimate: () => navigator.storage?.estimate?.() ?? Promise.resolve({}),
        });
      });
    running = pass;
    pass.catch((error: unknown) => console.warn('[rumscope] retention failed', error));
    return pass;
  };

  const onAlarm = (alarm: chrome.alarms.Alarm) => {
    if (alarm.name === RETENTION_ALARM) void run();
  };
  ext.alarms?.onAlarm.addListener(onAlarm);
  void (async () => {
    try {
      if (ext.alarms && !(await ext.alarms.get(RETENTION_ALARM))) {
        await ext.alarms.create(RETENTION_ALARM, { periodInMinutes: PERIOD_MINUTES, delayInMinutes: PERIOD_MINUTES });
      }
    } catch {
      // without alarms, retention still runs at start, on settings changes and after writes
    }
  })();

  return {
    /** One pass now (after any pass in progress). */
    run,
    /** A pass soon, after the writes stop for a moment. */
    afterWrite() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, AFTER_WRITE_MS);
    },
    stop() {
      ext.alarms?.onAlarm.removeListener(onAlarm);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
