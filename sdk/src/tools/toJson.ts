import type { JsonValue } from '../../schema';

/**
 * A JSON-clean copy of a value from the page (drops functions and undefined, turns dates into strings,
 * cuts cycles and oversized values), so the extension's validator never refuses it. null if impossible.
 */
export function toJson<T extends JsonValue = JsonValue>(value: unknown, maxChars = 16 * 1024): T | null {
  try {
    const text = JSON.stringify(value);
    if (text === undefined || text.length > maxChars) return null;
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** A context object (user, global context, action or error context): a plain JSON object or null. */
export const toJsonObject = (value: unknown): Record<string, JsonValue> | null => {
  const json = value && typeof value === 'object' && !Array.isArray(value) ? toJson(value) : null;
  return json && typeof json === 'object' && !Array.isArray(json) ? json : null;
};
