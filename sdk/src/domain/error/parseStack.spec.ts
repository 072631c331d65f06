import { describe, expect, it } from 'vitest';
import { parseStack } from './parseStack';

describe('parseStack', () => {
  it('parses V8 frames, with and without a function name', () => {
    const stack = [
      'TypeError: Demo failure: cart is undefined',
      '    at HTMLButtonElement.<anonymous> (http://127.0.0.1:5173/demo.js:16:11)',
      '    at checkout (http://127.0.0.1:5173/app.js:3:7)',
      '    at http://127.0.0.1:5173/app.js:10:1',
    ].join('\n');
    expect(parseStack(stack)).toEqual([
      { fn: 'HTMLButtonElement.<anonymous>', url: 'http://127.0.0.1:5173/demo.js', line: 16, column: 11 },
      { fn: 'checkout', url: 'http://127.0.0.1:5173/app.js', line: 3, column: 7 },
      { fn: null, url: 'http://127.0.0.1:5173/app.js', line: 10, column: 1 },
    ]);
  });

  it('parses Gecko / WebKit frames', () => {
    const stack = 'checkout@http://127.0.0.1:5173/app.js:3:7\n@http://127.0.0.1:5173/app.js:10:1\n';
    expect(parseStack(stack)).toEqual([
      { fn: 'checkout', url: 'http://127.0.0.1:5173/app.js', line: 3, column: 7 },
      { fn: null, url: 'http://127.0.0.1:5173/app.js', line: 10, column: 1 },
    ]);
  });

  it('returns no frames for nothing, and at most 50', () => {
    expect(parseStack(null)).toEqual([]);
    expect(parseStack('just a message')).toEqual([]);
    const long = Array.from({ length: 80 }, (_, i) => `    at f${i} (http://a.test/x.js:${i + 1}:1)`).join('\n');
    expect(parseStack(long)).toHaveLength(50);
  });
});
