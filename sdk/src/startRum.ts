import type { SessionInfo } from '../schema';
import type { RumConfiguration } from './boot/configuration';
import { startActionCollection } from './domain/action/startActionCollection';
import { startRumEventAssembly } from './domain/assembly/startRumEventAssembly';
import type { RumContexts } from './domain/context/createRumContexts';
import { startConsoleCollection } from './domain/console/startConsoleCollection';
import { startContextCollection } from './domain/context/startContextCollection';
import { startErrorCollection, toErrorEvent } from './domain/error/startErrorCollection';
import { startLongTaskCollection } from './domain/longTask/startLongTaskCollection';
import { createPageActivity } from './domain/pageActivity/createPageActivity';
import { startApiCollection } from './domain/requests/startApiCollection';
import { startResourceCollection } from './domain/resource/startResourceCollection';
import type { SessionStore } from './domain/session/startSessionStore';
import { trackUserActivity } from './domain/session/trackUserActivity';
import { startTelemetry } from './domain/telemetry/startTelemetry';
import { startViewCollection } from './domain/view/startViewCollection';
import { startVitalCollection } from './domain/vitals/startVitalCollection';
import { createLifeCycle, type LifeCycle } from './lifeCycle';
import { createGuard } from './tools/guard';
import { redactUrl } from './tools/redactUrl';
import type { ViewState } from './domain/view/startViewCollection';
import type { Guard } from './tools/guard';
import type { RumEvent } from '../schema';
import { addEventListener, removeEventListener } from './tools/safeGlobals';

export interface TransportHandle {
  /** pagehide, after every collector has had its say: send what is queued (and from now on at once). */
  leave(persisted?: boolean): void;
  /** The page was hidden or frozen (it may be closed or discarded without another task): send what is queued now. */
  handOver?(): void;
  /** startSessionReplayRecording({ force: true }) where the extension owns the session. */
  requestReplay?(): void;
  /** Standalone: what is kept in memory, and what the buffer dropped. */
  events?(): (RumEvent & { sessionId: string })[];
  dropped?(): number;
  stop(): void;
}

/**
 * What differs between the two ways the SDK runs, chosen by the entry so that each bundle carries only its
 * own: 'extension' (injected: no network, no page storage, the background owns sessions, events through the
 * bridge) and 'standalone' (in an app: the session in localStorage, events to a transport hook).
 */
export interface RumMode {
  startSession?(lifeCycle: LifeCycle, guard: Guard, config: RumConfiguration): SessionStore;
  startTransport(lifeCycle: LifeCycle, guard: Guard, session: SessionStore | undefined): TransportHandle;
  /** Standalone: the page reads its IANA time zone (20-35 ms on first use); the extension's background knows it. */
  timeZoneInPage?: boolean;
  /** Extension mode: activity that makes no other event is sent as 'activity' events (the background's clock). */
  startActivityEvents?(lifeCycle: LifeCycle, view: ViewState): { stop(): void };
  /**
   * The replay recorder where it is already in the page (extension: recorder.js, injected by the background
   * for recorded sessions only). start() resumes it and says true; false when there is none to resume.
   */
  replay?: { start(): boolean; stop(): void };
  /** Standalone: records the session when it is drawn for replay or forced (startStandaloneReplay). */
  startReplay?(session: SessionStore, config: RumConfiguration, viewId: () => string): StandaloneReplay;
  /** Extension mode: epoch ms at which the capture was injected into an already loaded page (its view starts then). */
  recordingSince?: number;
}

interface StandaloneReplay {
  start(): boolean;
  stop(): void;
  update(): void;
  segments(): { sessionId: string; segment: string }[];
  destroy(): void;
}

export interface RumStartOptions {
  mode: RumMode;
  /** Read live: in extension mode init() arrives after the start and updates it. */
  config: RumConfiguration;
  contexts: RumContexts;
  /** setTrackingConsent: nothing is sent while this says false. */
  consented?: () => boolean;
}

/** Wires the collectors onto one bus. Everything runs inside the guard: the SDK never throws into the page. */
export function startRum({ mode, config, contexts, consented }: RumStartOptions) {
  let lifeCycle: LifeCycle | undefined;
  let viewId = 'none';
  const guard = createGuard((error) => {
    // An SDK failure becomes an internal error event; it is never thrown into the page.
    lifeCycle?.notify('rawEvent', toErrorEvent('internal', error, viewId, redactUrl));
  });
  return guard(() => {
    const bus = (lifeCycle = createLifeCycle((error) => guard(() => {
      throw error;
    })()));
    const session = mode.startSession?.(bus, guard, config);
    let extensionSession: SessionInfo = { sampled: true, replay: false };

    const assembly = startRumEventAssembly(bus, {
      beforeSend: () => config.beforeSend,
      consented,
      tracked: session && (() => !!session.current()?.sampled),
    });
    const transport = mode.startTransport(bus, guard, session);

    const activity = createPageActivity(bus, guard);
    const view = startViewCollection(bus, guard, activity, redactUrl, mode.recordingSince);
    viewId = view.state.viewId;
    const action = startActionCollection(bus, guard, view.state, activity, config);
    const error = startErrorCollection(bus, guard, view.state, redactUrl);
    const consoleCollection = startConsoleCollection(bus, guard, view.state, (args) => error.onConsoleError(args));
    const stoppable = [
      session,
      transport,
      assembly,
      activity,
      view,
      action,
      error,
      consoleCollection,
      trackUserActivity(bus, guard),
      mode.startActivityEvents?.(bus, view.state),
      startContextCollection(bus, guard, view.state, contexts, !!mode.timeZoneInPage),
      startApiCollection(bus, guard, view.state, redactUrl),
      startResourceCollection(bus, guard, view.state, redactUrl, () => config.trackResources),
      config.trackLongTasks ? startLongTaskCollection(bus, guard, view.state) : undefined,
      startVitalCollection(bus, guard, view.state, redactUrl),
      startTelemetry(bus, guard, view.state, () => assembly.dropped() + consoleCollection.dropped() + (transport.dropped?.() ?? 0)),
    ];
    const recording = session && mode.startReplay?.(session, config, () => view.state.viewId);
    const unsubscribers = [
      bus.subscribe('viewStarted', (started) => (viewId = started.viewId)),
      bus.subscribe('session', (info) => (extensionSession = info)),
    ];
    const onPageHide = guard((event: PageTransitionEvent) => {
      bus.notify('pageHide', { persisted: event.persisted });
      transport.leave(event.persisted);
    });
    addEventListener('pagehide', onPageHide, { capture: true });
    // Hidden (a tab closed next fires pagehide, but a discarded one fires nothing more) or frozen (no task runs
    // until it resumes, if ever): what is queued leaves synchronously. Not beforeunload: Firefox keeps no page
    // that listens to it in the back/forward cache.
    const onHidden = guard(() => {
      if (document.visibilityState === 'hidden') transport.handOver?.();
    });
    const onFreeze = guard(() => transport.handOver?.());
    document.addEventListener('visibilitychange', onHidden, { capture: true });
    document.addEventListener('freeze', onFreeze, { capture: true });

    return {
      addAction: guard(action.addAction),
      addError: guard(error.addError),
      getInternalContext: guard(() => ({
        application_id: null as string | null,
        // Standalone: the page's own session; extension: the id the background told the page (recorded sessions only).
        session_id: session ? session.current()?.id : extensionSession.id,
        view: { id: view.state.viewId, url: view.state.url, referrer: view.state.referrer },
      })),
      startView: guard((name?: string) => view.startManualView(name)),
      setViewName: guard((name: string) => view.setViewName(name)),
      addTiming: guard((name: string, time?: number) => view.addTiming(name, time)),
      /** Whether this session records a replay (sampled, or forced). */
      isReplaying: () => (session ? !!session.current()?.replay : extensionSession.replay),
      startReplay: guard((force: boolean) => {
        if (mode.replay?.start() || recording?.start()) return;
        if (!force) return;
        if (session) {
          session.forceReplay();
          recording?.update();
        } else transport.requestReplay?.();
      }),
      stopReplay: guard(() => {
        mode.replay?.stop();
        recording?.stop();
      }),
      /** Standalone: the replay segments kept in memory. */
      replaySegments: () => recording?.segments() ?? [],
      stopSession: guard(() => session?.expire()),
      /** Standalone: the events kept in memory, each with its session id. */
      events: () => transport.events?.() ?? [],
      get overheadMs() {
        return guard.overheadMs;
      },
      stop: guard(() => {
        removeEventListener('pagehide', onPageHide, { capture: true });
        document.removeEventListener('visibilitychange', onHidden, { capture: true });
        document.removeEventListener('freeze', onFreeze, { capture: true });
        unsubscribers.forEach((unsubscribe) => unsubscribe());
        stoppable.forEach((item) => item?.stop());
        recording?.destroy();
      }),
    };
  })();
}

export type RumHandle = NonNullable<ReturnType<typeof startRum>>;
