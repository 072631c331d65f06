/** "Copy as cURL" for an API call: method, URL, headers and body when recorded, secret headers redacted. */
import type { ApiEvent } from '../../../sdk/schema';
import { networkDetail } from './networkDetail';

/** Quotes for a POSIX shell: 'it'\''s'. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function toCurl(event: ApiEvent): string {
  const detail = networkDetail(event);
  const parts = [`curl ${shellQuote(event.url)}`];
  const body = detail?.requestBody ?? null;
  if (event.method.toUpperCase() !== 'GET' || body !== null) parts.push(`-X ${shellQuote(event.method.toUpperCase())}`);
  for (const header of detail?.requestHeaders ?? []) parts.push(`-H ${shellQuote(`${header.name}: ${header.value}`)}`);
  if (body !== null) parts.push(`--data-raw ${shellQuote(body)}`);
  return parts.join(' \\\n  ');
}
