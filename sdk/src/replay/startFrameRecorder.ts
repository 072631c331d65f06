import { record } from '@rrweb/record';
import type { DefaultPrivacyLevel } from '../../schema';
import { listenForSnapshotRequests } from './frameGate';
import { slimMirror, type RecordMirror } from './slimMirror';
import { commonOptions, type RecordFn } from './startRecorder';

/**
 * The recorder of an allowed cross-origin frame: rrweb in its cross-origin mode posts every record to the parent
 * window, whose recorder takes it into the page's stream (frameGate.ts); nothing is sent from here. The frame
 * masks with the session's privacy level and its own data-oo-privacy attributes, as a page does. Returns stop.
 */
export function startFrameRecorder(options: { privacyLevel: DefaultPrivacyLevel; onError?: (error: unknown) => void }): () => void {
  const recordFn = record as unknown as RecordFn;
  slimMirror((record as unknown as { mirror?: RecordMirror }).mirror);
  const stopRecording = recordFn({ ...commonOptions(options.privacyLevel, options.onError), recordCrossOriginIframes: true });
  // The top page asks again after its own full snapshots (a checkout, a restart, its first): its copy starts anew.
  const stopListening = listenForSnapshotRequests(() => recordFn.takeFullSnapshot?.());
  return () => {
    stopListening();
    try {
      stopRecording?.();
    } catch (error) {
      options.onError?.(error);
    }
  };
}
