/**
 * The bodies the peers' SDKs post, read with the server's limits: NDJSON (text/plain, deflate-compressed when
 * the SDK compresses: `dd-evp-encoding=deflate` / `o2-evp-encoding=deflate` in the query) and multipart replay
 * segments (a deflated `segment` part and its JSON `event` metadata). The compressed size is capped by the
 * route's body limit, the decompressed size here: too big → 413, unreadable → 400.
 */
import { inflateSync, gunzipSync } from 'node:zlib';
import { inspectJson } from '../../sdk/schema/validate';
import { HttpError } from '../http';

/** Nesting kept in one event (their events nest 5–6 levels; user context may add a few). */
export const MAX_EVENT_DEPTH = 24;
/** Events in one batch at most (the SDKs flush at 50 messages or 16 KB). */
export const MAX_EVENTS_PER_BATCH = 2000;

export type Encoding = 'identity' | 'deflate' | 'gzip';

/** zlib's output chunk when nothing better is known (its default). */
const DEFAULT_CHUNK = 16 * 1024;
/** Deflate's largest ratio of output to input (a run of one byte): no stream can say more than this of its size. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The output chunk for decompressing a gzip body: its stated size (the trailer's ISIZE, the last member's size mod
 * 2^32) plus one byte, so that an honest body comes out in ONE chunk that is returned as it is — not in pieces of
 * 16 KiB joined by a copy at the end (a 660 KB upload: 41 chunks and a concat). The stated size is only a hint: it
 * is never trusted beyond what the limit and deflate's largest ratio allow for the bytes sent (one chunk of at most
 * that much is allocated, as a body that really inflates so far would fill), and a hint below the real size only
 * means more chunks, as before. Exported for its test.
 */
export function gzipChunkSize(body: Buffer, maxBytes: number): number {
  if (body.length < 18) return DEFAULT_CHUNK; // not even an empty gzip member: zlib will say what is wrong
  const stated = body.readUInt32LE(body.length - 4);
  return Math.max(DEFAULT_CHUNK, Math.min(stated + 1, maxBytes + 1, body.length * MAX_DEFLATE_RATIO));
}

export function inflate(body: Buffer, encoding: Encoding, maxBytes: number, what = 'body'): Buffer {
  if (encoding === 'identity') {
    if (body.length > maxBytes) throw new HttpError(413, `the ${what} is larger than ${maxBytes} bytes`);
    return body;
  }
  try {
    return encoding === 'deflate'
      ? inflateSync(body, { maxOutputLength: maxBytes })
      : gunzipSync(body, { maxOutputLength: maxBytes, chunkSize: gzipChunkSize(body, maxBytes) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, `the ${what} is larger than ${maxBytes} bytes once decompressed`);
    }
    throw new HttpError(400, `the ${what} could not be decompressed (${encoding}): ${(error as Error).message}`);
  }
}

/** Newline-delimited JSON objects; any bad line rejects the batch (400), so that nothing is half-stored. */
export function parseNdjson(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    if (out.length >= MAX_EVENTS_PER_BATCH) throw new HttpError(413, `a batch holds at most ${MAX_EVENTS_PER_BATCH} events`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new HttpError(400, `line ${index + 1} is not JSON`);
    }
    const poison = inspectJson(value, MAX_EVENT_DEPTH);
    if (poison) throw new HttpError(400, `line ${index + 1}: ${poison}`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, `line ${index + 1} is not a JSON object`);
    out.push(value);
  }
  if (!out.length) throw new HttpError(400, 'the batch holds no event');
  return out;
}

export function decodeUtf8(bytes: Buffer, what = 'body'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, `the ${what} is not UTF-8`);
  }
}

export interface MultipartPart {
  name: string;
  filename: string | null;
  type: string;
  bytes: Buffer;
}

/** A multipart/form-data body (the SDKs' FormData), parsed by the platform's own parser. */
export async function parseMultipart(body: Buffer, contentType: string): Promise<MultipartPart[]> {
  if (!/^multipart\/form-data;\s*boundary=/i.test(contentType)) throw new HttpError(415, 'a replay segment is sent as multipart/form-data');
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpError(400, 'the multipart body could not be read');
  }
  const parts: MultipartPart[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') parts.push({ name, filename: null, type: 'text/plain', bytes: Buffer.from(value) });
    else parts.push({ name, filename: value.name || null, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return parts;
}
