import { record } from '@rrweb/record';
import { REPLAY_FULL_SNAPSHOT, type DefaultPrivacyLevel, type ReplayRecord, type ReplaySegmentReason } from '../../schema';
import { slimMirror, type RecordMirror } from './slimMirror';
import { createSegmentBuilder, SEGMENT_MAX_MS } from './createSegmentBuilder';
import { privacyOptions } from './privacyOptions';
import { createRollingBuffer, INSTANT_REPLAY_CHECKOUT_MS } from './createRollingBuffer';
import type { FrameGate } from './frameGate';

export interface RecorderOptions {
  privacyLevel: DefaultPrivacyLevel;
  /** Receives each segment (JSON of a ReplaySegmentPayload); `leaving`: the page is being hidden or unloaded. */
  send: (segment: string, reason: ReplaySegmentReason, leaving: boolean) => void;
  /** The current RUM view's id. */
  viewId: () => string | null;
  onError?: (error: unknown) => void;
  /**
   * Redacts secret URL parameters of recorded attributes here, in the page (redactRecords.ts). The extension leaves
   * it to its background (off the page's thread, and out of recorder.js); the standalone SDK, with no background,
   * passes redactRecords.
   */
  redact?: (records: ReplayRecord[]) => void;
  /**
   * Instant replay: keep a rolling buffer of the last two minutes in this page's memory and send nothing,
   * until keep() hands the buffer over as segments and recording goes on as usual.
   */
  buffer?: boolean;
  /**
   * Takes the records of allowed cross-origin frames into this stream (rrweb's recordCrossOriginIframes, behind
   * this frame gate, frameGate.ts): only for a build with the gate bound into rrweb (the extension's recorder.js).
   */
  frames?: FrameGate;
}

export type RecordFn = ((options: Record<string, unknown>) => (() => void) | undefined) & { takeFullSnapshot?: (isCheckout?: boolean) => void };

/** The rrweb options both a page's and a frame's recorder use. */
export function commonOptions(privacyLevel: DefaultPrivacyLevel, onError: ((error: unknown) => void) | undefined) {
  return {
    ...privacyOptions(privacyLevel),
    recordAfter: 'DOMContentLoaded',
    recordCanvas: false,
    collectFonts: false,
    inlineImages: false,
    // Scripts are dropped from the recording (the player would never run them anyway), comments too.
    slimDOMOptions: { script: true, comment: true, headFavicon: true, headWhitespace: true, headMetaVerification: true },
    sampling: { mousemove: 50, scroll: 150, input: 'last', media: 800 },
    errorHandler: (error: unknown) => {
      onError?.(error);
      return true;
    },
  };
}

/**
 * Records the page with rrweb (`@rrweb/record`) and hands it over in segments: every ~5 s, ~120 KB, at a
 * view change, when the page is hidden or left, and at stop. With `buffer` (instant replay) it only keeps the
 * last two minutes in memory until keep(). Each record is serialized once, here; the
 * compression happens in the extension's background (or the app's transport), never on this thread.
 * Canvas is not recorded (the player never runs scripts, see the panel's ReplayPlayer). Open shadow roots are.
 */
export function startRecorder(options: RecorderOptions) {
  let leaving = false;
  let buffering = !!options.buffer;
  const rolling = createRollingBuffer();
  const builder = createSegmentBuilder({ onSegment: (json, reason) => options.send(json, reason, leaving) });
  let viewCache: { at: number; id: string | null } = { at: -Infinity, id: null };
  const currentView = () => {
    const now = performance.now();
    if (now - viewCache.at > 100) viewCache = { at: now, id: safe(options.viewId) ?? null };
    return viewCache.id;
  };
  function safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      options.onError?.(error);
      return undefined;
    }
  }
  const add = (event: { type: number; timestamp: number }) => {
    options.redact?.([event as ReplayRecord]);
    if (buffering) return rolling.add({ json: JSON.stringify(event), viewId: currentView(), type: event.type, timestamp: event.timestamp }, Date.now());
    builder.add(JSON.stringify(event), currentView(), Date.now());
    // A full snapshot goes out at once: it is what a player needs first.
    if (event.type === REPLAY_FULL_SNAPSHOT) builder.flush('size');
  };
  // Guardrail: a mutation storm beyond STORM_NODES_PER_SECOND pauses recording (marked in the recording),
  // and it resumes with a fresh full snapshot once the page has been calm for a second.
  const storm = createStormGuard();
  // rrweb's mirror keeps { id } of each node instead of its serialized tree (most of the replay's heap).
  slimMirror((record as unknown as { mirror?: RecordMirror }).mirror);
  let paused = false;
  // rrweb never removes a stopped run's frame listener: a run's emit speaks only while it is the current run.
  let run = 0;
  const frames = options.frames;
  frames?.setLevel(options.privacyLevel);
  const start = () => {
    const mine = ++run;
    return (record as unknown as RecordFn)({
      emit: (event: { type: number; timestamp: number; data?: unknown }) =>
        safe(() => {
          if (paused || mine !== run) return;
          add(event);
          // Frames recorded into this stream send a fresh snapshot of their own after each of the page's.
          if (frames && event.type === REPLAY_FULL_SNAPSHOT) frames.requestSnapshots();
          if (storm.count(event, Date.now())) pause();
          // rrweb keeps its last full snapshot record, of which it reads only the time: serialized above, its
          // tree can go (with slimMirror, nothing else holds it).
          if (event.type === REPLAY_FULL_SNAPSHOT && event.data) (event.data as { node: unknown }).node = null;
        }),
      ...commonOptions(options.privacyLevel, options.onError),
      ...(frames && { recordCrossOriginIframes: true }),
      // While buffering, a fresh full snapshot every minute lets the buffer drop what is older than two minutes.
      ...(buffering && { checkoutEveryNms: INSTANT_REPLAY_CHECKOUT_MS }),
    });
  };
  let stopRecording = start();
  let calm: MutationObserver | undefined;
  let calmTimer: ReturnType<typeof setInterval> | undefined;
  function pause() {
    paused = true;
    run++;
    safe(() => stopRecording?.());
    add(gapMark('paused', Date.now()));
    builder.flush('size');
    let mutations = 0;
    calm = new MutationObserver((records) => (mutations += records.length));
    calm.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    calmTimer = setInterval(() => {
      if (mutations > STORM_NODES_PER_SECOND / 10) return void (mutations = 0);
      endCalmWatch();
      paused = false;
      storm.reset();
      add(gapMark('resumed', Date.now()));
      stopRecording = start();
    }, 1000);
  }
  function endCalmWatch() {
    calm?.disconnect();
    clearInterval(calmTimer);
    calm = undefined;
  }
  const timer = setInterval(() => safe(() => builder.isDue(Date.now(), SEGMENT_MAX_MS) && builder.flush('time')), 1000);
  const onHide = () =>
    safe(() => {
      leaving = true;
      builder.flush('exit');
    });
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') safe(() => builder.flush('exit'));
  };
  const onShow = () => (leaving = false);
  addEventListener('pagehide', onHide, { capture: true });
  addEventListener('pageshow', onShow, { capture: true });
  document.addEventListener('visibilitychange', onVisibility);
  return {
    /** Sends what is pending now. */
    flush: () => builder.flush('time'),
    /** Instant replay kept (an error, the page's force, the user's "Keep replay"): the buffer goes out, recording goes on. */
    keep() {
      if (!buffering) return;
      buffering = false;
      for (const record of rolling.take()) builder.add(record.json, record.viewId, Date.now());
      builder.flush('size');
      // Recording on without the buffer's periodic checkouts (this starts with one full snapshot more).
      if (!paused) {
        run++;
        safe(() => stopRecording?.());
        stopRecording = start();
      }
    },
    get buffering() {
      return buffering;
    },
    stop() {
      endCalmWatch();
      run++;
      frames?.close();
      safe(() => stopRecording?.());
      clearInterval(timer);
      removeEventListener('pagehide', onHide, { capture: true });
      removeEventListener('pageshow', onShow, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      safe(() => builder.flush('stop'));
    },
  };
}

export type Recorder = ReturnType<typeof startRecorder>;

/** Mutated nodes per second beyond which recording pauses (a page rebuilding itself in a loop). */
export const STORM_NODES_PER_SECOND = 20_000;

/** rrweb custom record marking the gap a storm left in the recording (the player shows what follows). */
export function gapMark(tag: 'paused' | 'resumed', timestamp: number) {
  return { type: 5, timestamp, data: { tag: `rumscope:${tag}`, payload: { reason: 'mutation storm' } } };
}

/** Counts mutated nodes per second in rrweb's incremental mutation records; true once over the limit. */
export function createStormGuard(limit = STORM_NODES_PER_SECOND) {
  let windowStart = 0;
  let nodes = 0;
  return {
    count(event: { type: number; data?: unknown }, now: number): boolean {
      const data = event.data as { source?: number; adds?: unknown[]; removes?: unknown[]; texts?: unknown[]; attributes?: unknown[] } | undefined;
      if (event.type !== 3 || data?.source !== 0) return false;
      if (now - windowStart >= 1000) {
        windowStart = now;
        nodes = 0;
      }
      nodes += (data.adds?.length ?? 0) + (data.removes?.length ?? 0) + (data.texts?.length ?? 0) + (data.attributes?.length ?? 0);
      return nodes > limit;
    },
    reset() {
      nodes = 0;
      windowStart = 0;
    },
  };
}
