import { describe, expect, test } from 'vitest';
import { createRollingBuffer } from './createRollingBuffer';

const meta = (t: number) => ({ json: `{"type":4,"timestamp":${t}}`, viewId: 'v', type: 4, timestamp: t });
const full = (t: number) => ({ json: `{"type":2,"timestamp":${t}}`, viewId: 'v', type: 2, timestamp: t });
const step = (t: number) => ({ json: `{"type":3,"timestamp":${t}}`, viewId: 'v', type: 3, timestamp: t });

describe("instant replay's rolling buffer", () => {
  test('keeps at least the last two minutes, always from a checkout a player can start at', () => {
    const buffer = createRollingBuffer(120_000);
    // A checkout every minute for five minutes, an incremental record every 10 s.
    for (let t = 0; t <= 300_000; t += 10_000) {
      if (t % 60_000 === 0) {
        buffer.add(meta(t), t);
        buffer.add(full(t), t);
      } else buffer.add(step(t), t);
    }
    expect(buffer.since).toBe(180_000); // the newest checkout at least 2 min old at t = 300 s
    const kept = buffer.take();
    expect(kept[0]!.type).toBe(4);
    expect(kept[1]!.type).toBe(2);
    expect(kept.at(-1)!.timestamp).toBe(300_000);
    expect(300_000 - kept[0]!.timestamp).toBeGreaterThanOrEqual(120_000);
    expect(buffer.size).toBe(0);
  });

  test('drops nothing while the recording is younger than two minutes', () => {
    const buffer = createRollingBuffer(120_000);
    buffer.add(meta(0), 0);
    buffer.add(full(0), 0);
    buffer.add(step(50_000), 50_000);
    buffer.add(meta(60_000), 60_000);
    buffer.add(full(60_000), 60_000);
    expect(buffer.since).toBe(0);
    expect(buffer.size).toBe(5);
  });
});
