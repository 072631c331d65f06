import type { StackFrame } from '../../../schema';

const CHROME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$/;
const GECKO = /^\s*(.*?)@(.+?):(\d+):(\d+)\s*$/;
const MAX_FRAMES = 50;

/** Parses V8 ("at fn (url:1:2)") and Gecko/WebKit ("fn@url:1:2") stack traces into frames. */
export function parseStack(stack: string | null | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = CHROME.exec(line) ?? GECKO.exec(line);
    if (!match) continue;
    frames.push({ fn: match[1] || null, url: match[2] ?? null, line: Number(match[3]), column: Number(match[4]) });
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}
