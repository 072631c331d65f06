/**
 * recorder.js: the replay recorder the extension's background injects into the page's MAIN world
 * (scripting.executeScript) only when the page's session is recorded: sampled for replay, or forced by
 * startSessionReplayRecording({ force: true }); or, for a site with instant replay on, in buffer mode (the last two
 * minutes kept in memory, sent only once kept). Never a web-accessible file; never part of capture.js.
 * Segments leave through the relay on their own message kind ('replay').
 */
import { PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RECORDER_GLOBAL, type DefaultPrivacyLevel, type PageControlMessage, type PageReplayMessage } from '../../schema';
import { startRecorder, type Recorder } from './startRecorder';
import { startFrameRecorder } from './startFrameRecorder';
import { frameGate } from './frameGate';

export interface RecorderControl {
  /**
   * Starts recording (again), with the session's privacy level; a no-op while recording. `auto`: the
   * background's start (the session is drawn for replay), which does not undo the page's own
   * stopSessionReplayRecording().
   */
  start(options?: { privacyLevel?: DefaultPrivacyLevel; auto?: boolean; buffer?: boolean; keepOnError?: boolean; frame?: boolean; frames?: string[] }): void;
  stop(): void;
  /**
   * The background's word that frames of these origins are recorded into this page's stream (their sites are
   * allowed); they are asked for a fresh full snapshot. `frame` in start(): this document is such a frame.
   */
  allowFrames(origins: string[]): void;
  /** Sends the open segment now (it would go within ~5 s anyway). */
  flush(): void;
  readonly recording: boolean;
  /** Instant replay: recording into the in-memory two-minute buffer only (nothing sent yet). */
  readonly buffering: boolean;
}

interface CaptureApi {
  getInternalContext?: () => { view?: { id?: string } } | undefined;
}

(() => {
  const globals = window as unknown as Record<string, unknown>;
  if (globals[RECORDER_GLOBAL]) return;
  const origin = location.origin === 'null' ? '*' : location.origin;
  let recorder: Recorder | undefined;
  /** This document is a recorded cross-origin frame: the stop of its frame recorder. */
  let stopFrame: (() => void) | undefined;
  let isFrame = false;
  let privacyLevel: DefaultPrivacyLevel = 'mask-user-input';
  let stoppedByPage = false;
  const send = (segment: string, _reason: string, leaving: boolean) => {
    const message: PageReplayMessage = { source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'replay', segment };
    // While the page goes away a posted message would be dropped with it: the relay takes this one synchronously.
    if (leaving) dispatchEvent(new CustomEvent(PAGE_UNLOAD_EVENT, { detail: JSON.stringify(message) }));
    else postMessage(message, origin);
  };
  // Instant replay drawn to be kept on an error: the page asks the extension to record its session (the same
  // request as startSessionReplayRecording({ force: true })); the background's start then keeps the buffer.
  let keepOnError = false;
  let asked = false;
  const onError = () => {
    if (!keepOnError || asked || !recorder?.buffering) return;
    asked = true;
    const message: PageControlMessage = { source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'control', command: 'startReplay' };
    postMessage(message, origin);
  };
  // Injected after the page ran: its globals may throw (a hostile or broken page); never into the page.
  try {
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onError);
  } catch {
    // no keep-on-error on such a page
  }
  const control: RecorderControl = {
    start(options) {
      try {
        if (options?.privacyLevel === 'allow' || options?.privacyLevel === 'mask' || options?.privacyLevel === 'mask-user-input') privacyLevel = options.privacyLevel;
        if (options?.auto && stoppedByPage) return;
        // A cross-origin frame of a recorded page: its records go to the top page's recorder (frameGate.ts), and it
        // stays such a frame (its own startSessionReplayRecording() never makes it a page recording of its own).
        if (options?.frame) isFrame = true;
        if (isFrame) {
          if (!stopFrame) stopFrame = startFrameRecorder({ privacyLevel });
          return;
        }
        if (Array.isArray(options?.frames)) frameGate.allow(options.frames);
        if (recorder) {
          // The session records now: an instant replay buffer is kept and recording goes on.
          if (!options?.buffer) recorder.keep();
          return;
        }
        stoppedByPage = false;
        keepOnError = !!options?.buffer && !!options.keepOnError;
        recorder = startRecorder({
          privacyLevel,
          send,
          viewId: () => (globals.rumscope as CaptureApi | undefined)?.getInternalContext?.()?.view?.id ?? null,
          buffer: !!options?.buffer,
          frames: frameGate,
        });
      } catch {
        // Never break the page.
      }
    },
    stop() {
      stoppedByPage = true;
      try {
        recorder?.stop();
        stopFrame?.();
      } catch {
        /* never break the page */
      }
      recorder = undefined;
      stopFrame = undefined;
    },
    allowFrames(origins) {
      try {
        const added = Array.isArray(origins) ? frameGate.allow(origins) : [];
        if (recorder && added.length) frameGate.requestSnapshots(added);
      } catch {
        /* never break the page */
      }
    },
    flush() {
      try {
        recorder?.flush();
      } catch {
        /* never break the page */
      }
    },
    get recording() {
      return !!recorder;
    },
    get buffering() {
      return !!recorder?.buffering;
    },
  };
  Object.defineProperty(window, RECORDER_GLOBAL, { value: control, configurable: false, enumerable: false, writable: false });
})();
