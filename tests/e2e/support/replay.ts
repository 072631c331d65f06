/** Reading stored replay segments from a test (both drivers). */
import { inflateSync, strFromU8 } from 'fflate';
import type { Driver } from './driver';
import { decodeRecords } from '../../../sdk/src/replay/recordCodec';

export interface SegmentRow {
  sessionId: string;
  loadId: string;
  seq: number;
  reason: string;
  start: number;
  end: number;
  fullSnapshot: boolean;
  bytes: number;
  rawChars: number;
  data: number[];
}

/** The stored replay segments, their compressed data as plain numbers (both drivers carry that). */
export function readSegments(driver: Driver): Promise<SegmentRow[]> {
  return driver.evaluateInExtension(async () => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    try {
      const rows: any[] = await new Promise((ok, ko) => {
        const request = db.transaction('replaySegments').objectStore('replaySegments').getAll();
        request.onsuccess = () => ok(request.result);
        request.onerror = () => ko(request.error);
      });
      return rows.map((row) => ({ ...row, data: Array.from(row.data as Uint8Array) }));
    } finally {
      db.close();
    }
  });
}

/** The rrweb records of one stored segment. */
export const decode = (row: SegmentRow): any[] => decodeRecords(JSON.parse(strFromU8(inflateSync(Uint8Array.from(row.data)))));
