import type { DefaultPrivacyLevel } from '../../schema';
import type { SessionStore } from '../domain/session/startSessionStore';
import type { Recorder } from './startRecorder';

/** One replay segment as the standalone SDK hands it over: the JSON of a ReplaySegmentPayload, with its session. */
export interface ReplaySegmentBatch {
  sessionId: string;
  segment: string;
}

export type ReplayTransport = (batch: ReplaySegmentBatch) => void;

/** Segments kept in memory (oldest dropped first) until the HTTP transport exists. */
export const MEMORY_MAX_SEGMENTS = 100;

/**
 * Standalone replay: the recorder is loaded (a separate chunk, `import()`) only when the session is drawn for
 * replay or forced; its segments are kept in memory and handed to the app's `replayTransport` hook, if any.
 * The app's stopSessionReplayRecording() sticks until its next startSessionReplayRecording().
 */
export function startStandaloneReplay(options: {
  session: SessionStore;
  privacyLevel: () => DefaultPrivacyLevel;
  viewId: () => string | null;
  transport?: ReplayTransport;
}) {
  let recorder: Recorder | undefined;
  let loading = false;
  let stoppedByApp = false;
  let segments: ReplaySegmentBatch[] = [];

  const send = (segment: string) => {
    const sessionId = options.session.current()?.id;
    if (!sessionId) return;
    const batch = { sessionId, segment };
    segments.push(batch);
    if (segments.length > MEMORY_MAX_SEGMENTS) segments.shift();
    try {
      options.transport?.(batch);
    } catch {
      // The app's hook must not stop the recording.
    }
  };

  const update = () => {
    const state = options.session.current();
    if (!state?.sampled || !state.replay || recorder || loading || stoppedByApp) return;
    loading = true;
    import('./startRedactingRecorder')
      .then(({ startRedactingRecorder }) => {
        loading = false;
        if (stoppedByApp || recorder) return;
        recorder = startRedactingRecorder({ privacyLevel: options.privacyLevel(), send, viewId: options.viewId });
      })
      .catch(() => {
        loading = false;
      });
  };
  update();

  return {
    /** startSessionReplayRecording(): resumes after the app's stop, or starts a forced session's recording. */
    start() {
      stoppedByApp = false;
      update();
      return !!recorder || loading;
    },
    stop() {
      stoppedByApp = true;
      recorder?.stop();
      recorder = undefined;
    },
    update,
    /** A copy of the segments kept in memory. */
    segments: () => segments.slice(),
    destroy() {
      recorder?.stop();
      recorder = undefined;
      segments = [];
    },
  };
}
