/**
 * The dashboard's filter in the page's URL: read at start, written back (replacing the history entry) on
 * every change, leaving the host's own parameters (the panel's tabId...) as they are.
 */
import type { SessionFilter } from '../../sdk/schema';
import { FACET_PARAMS, filterFromParams, filterToParams, type ParsedFilter } from './filterParams';

/** Every parameter the filter owns. */
const FILTER_PARAMS = new Set(['range', 'from', 'to', 'errors', 'duration', 'email', 'novelty', 'q', ...Object.values(FACET_PARAMS)]);

export function filterFromSearch(search: string): ParsedFilter {
  return filterFromParams(new URLSearchParams(search));
}

/** `search` (a URL's query, with or without "?") with the filter's parameters replaced by `filter`'s. */
export function searchWithFilter(search: string, filter: SessionFilter): string {
  const params = new URLSearchParams(search);
  for (const key of [...params.keys()]) if (FILTER_PARAMS.has(key)) params.delete(key);
  for (const [key, value] of filterToParams(filter)) params.append(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
