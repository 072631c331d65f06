import { redactRecords } from './redactRecords';
import { startRecorder, type RecorderOptions } from './startRecorder';

/**
 * The standalone SDK's recorder (its own chunk, loaded when the session records): with no background, secret URL
 * parameters of recorded attributes are redacted here, in the page. The extension's recorder.js leaves that to
 * the background and so carries no redaction code.
 */
export function startRedactingRecorder(options: Omit<RecorderOptions, 'redact'>) {
  return startRecorder({ ...options, redact: redactRecords });
}
