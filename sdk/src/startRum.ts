import type { AppContext, ContextEvent, JsonValue, UserContext } from '../schema';
import { startActionCollection } from './domain/action/startActionCollection';
import { collectDeviceFacts } from './domain/context/collectDeviceFacts';
import { startErrorCollection, toErrorEvent } from './domain/error/startErrorCollection';
import { startViewCollection } from './domain/view/startViewCollection';
import { createLifeCycle, type LifeCycle } from './lifeCycle';
import { createGuard } from './tools/guard';
import { redactUrl } from './tools/redactUrl';
import { utcOffsetMinutes } from './tools/time';

export interface RumInitConfiguration {
  service?: string;
  env?: string;
  version?: string;
  sessionSampleRate?: number;
  sessionReplaySampleRate?: number;
}

/** Wires the collectors onto one bus. The transport is chosen by the entry (bridge or HTTP). */
export function startRum(
  config: RumInitConfiguration,
  startTransport: (lifeCycle: LifeCycle, guard: ReturnType<typeof createGuard>) => { stop(): void },
) {
  let lifeCycle: LifeCycle | undefined;
  const guard = createGuard((error) => {
    // An SDK failure becomes an internal error event; it is never thrown into the page.
    lifeCycle?.notify('event', toErrorEvent('internal', error, view?.state.viewId ?? 'none', redactUrl));
  });
  lifeCycle = createLifeCycle((error) => guard(() => { throw error; })());

  let user: UserContext | null = null;
  const global: Record<string, JsonValue> = {};
  const app: AppContext = { service: config.service ?? null, env: config.env ?? null, version: config.version ?? null };

  const transport = startTransport(lifeCycle, guard);
  const view = startViewCollection(lifeCycle, guard, redactUrl);
  const emitContext = guard(() => {
    const event: ContextEvent = {
      type: 'context',
      time: Date.now(),
      tz: utcOffsetMinutes(),
      viewId: view.state.viewId,
      device: collectDeviceFacts(),
      app,
      user,
      global: { ...global },
    };
    lifeCycle!.notify('event', event);
  });
  emitContext();
  const collectors = [
    view,
    startActionCollection(lifeCycle, guard, view.state),
    startErrorCollection(lifeCycle, guard, view.state, redactUrl),
  ];
  const onPageHide = guard((event: PageTransitionEvent) => lifeCycle!.notify('pageHide', { persisted: event.persisted }));
  addEventListener('pagehide', onPageHide, { capture: true });

  return {
    lifeCycle,
    setUser: guard((next: UserContext) => {
      user = { ...next };
      emitContext();
    }),
    clearUser: guard(() => {
      user = null;
      emitContext();
    }),
    setGlobalContextProperty: guard((key: string, value: JsonValue) => {
      global[key] = value;
      emitContext();
    }),
    removeGlobalContextProperty: guard((key: string) => {
      delete global[key];
      emitContext();
    }),
    get overheadMs() {
      return guard.overheadMs;
    },
    stop() {
      removeEventListener('pagehide', onPageHide, { capture: true });
      for (const collector of collectors) collector.stop();
      transport.stop();
    },
  };
}
