/** The absolute URL of a request target, as Resource Timing names it; the input as text if unparsable. */
export function absoluteUrl(input: unknown): string {
  const text = String(input);
  try {
    return new URL(text, location.href).href;
  } catch {
    return text;
  }
}

/** Bytes of a request body where cheaply known (text, binary, blob, URL params); null otherwise. */
export function bodySize(body: unknown): number | null {
  if (body == null) return null;
  if (typeof body === 'string') return body.length;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return body.toString().length;
  return null;
}
