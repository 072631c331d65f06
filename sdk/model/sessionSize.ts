/** JSON length: the unit of SessionRecord.bytes (retention and the size cap count in it). */
export function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** What a stored event adds beyond the page's event: its keys (session, load, seq, tab, frame, schema). */
export const STORED_EVENT_OVERHEAD = 120;
