import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { gzipChunkSize, inflate } from './readBody';
import { HttpError } from '../http';

/** Text that compresses well, as an upload's JSON does. */
const text = (bytes: number) => Buffer.from('{"type":"view","url":"https://shop.example.com/cart"},'.repeat(Math.ceil(bytes / 52)).slice(0, bytes));

describe('gzipChunkSize', () => {
  it('is the stated size plus one for a body larger than the default chunk, the default below it', () => {
    const big = gzipSync(text(660_000));
    expect(gzipChunkSize(big, 10 << 20)).toBe(660_001);
    expect(gzipChunkSize(gzipSync(text(2_000)), 10 << 20)).toBe(16 * 1024);
    expect(gzipChunkSize(Buffer.alloc(5), 10 << 20)).toBe(16 * 1024);
  });

  it('never trusts the stated size beyond the limit or what the bytes sent could inflate to', () => {
    const small = gzipSync(text(2_000));
    small.writeUInt32LE(0xffff_fff0, small.length - 4);
    expect(gzipChunkSize(small, 10 << 20)).toBe(small.length * 1032);
    const big = gzipSync(text(660_000));
    expect(gzipChunkSize(big, 100_000)).toBe(100_001);
  });
});

describe('inflate (gzip)', () => {
  it('gives the body back whole: in one chunk, in several (two members: the trailer states the last one)', () => {
    const first = text(300_000);
    const second = text(40_000);
    expect(inflate(gzipSync(first), 'gzip', 10 << 20).equals(first)).toBe(true);
    expect(inflate(Buffer.concat([gzipSync(first), gzipSync(second)]), 'gzip', 10 << 20).equals(Buffer.concat([first, second]))).toBe(true);
  });

  it('refuses a body whose stated size is false (400) and one larger than the limit once inflated (413)', () => {
    const body = gzipSync(text(300_000));
    body.writeUInt32LE(400_000, body.length - 4);
    expect(() => inflate(body, 'gzip', 10 << 20)).toThrow(expect.objectContaining({ statusCode: 400 }) as HttpError);
    expect(() => inflate(gzipSync(text(300_000)), 'gzip', 200_000)).toThrow(expect.objectContaining({ statusCode: 413 }) as HttpError);
  });
});
