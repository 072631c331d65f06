/** The origin of a page's URL (its site), or null for a URL without one (about:blank, data:, a malformed one). */
export function originOf(url: string | undefined): string | null {
  try {
    const origin = url ? new URL(url).origin : 'null';
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
