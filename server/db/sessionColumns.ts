/**
 * The columns a session row carries beside its record JSON so that SQL can filter and sort the list exactly as
 * the panel does in memory: each value is computed by the panel's own pure functions (facetValue, the list's
 * sort values, the novelty keys), never re-implemented in SQL.
 */
import { createHash } from 'node:crypto';
import type { SessionRecord } from '../../sdk/schema';
import { deviceKey } from '../../panel/dashboard/cohorts';
import { facetValue } from '../../panel/dashboard/filter';
import { sessionSortValue } from '../../panel/source/sessionSort';

export interface SessionListColumns {
  errors: number;
  /** lastEventAt - startedAt (the Time Spent column; the duration filter clamps it at 0). */
  time_spent: number;
  /** The User Email column, lower-cased ('' when none). */
  email_sort: string;
  /** The Location column, lower-cased. */
  location_sort: string;
  /** Each facet widget's value ('Unknown' when the session has none). */
  f_user_email: string;
  f_country: string;
  f_city: string;
  f_browser: string;
  f_os: string;
  f_device_type: string;
  f_env: string;
  f_version: string;
  f_site: string;
  f_sdk: string;
  /** "Desktop · Linux · Chrome": what "new device" compares. */
  device_key: string;
}

export function sessionListColumns(session: SessionRecord): SessionListColumns {
  return {
    errors: session.counts.errors,
    time_spent: sessionSortValue(session, 'timeSpent') as number,
    email_sort: sessionSortValue(session, 'email') as string,
    location_sort: sessionSortValue(session, 'location') as string,
    f_user_email: facetValue(session, 'userEmail'),
    f_country: facetValue(session, 'country'),
    f_city: facetValue(session, 'city'),
    f_browser: facetValue(session, 'browser'),
    f_os: facetValue(session, 'os'),
    f_device_type: facetValue(session, 'deviceType'),
    f_env: facetValue(session, 'env'),
    f_version: facetValue(session, 'version'),
    f_site: facetValue(session, 'site'),
    f_sdk: facetValue(session, 'sdk'),
    device_key: deviceKey(session),
  };
}

/**
 * The facet columns a search term's row carries a code of (migration 012, PostgreSQL), in the code's order: each
 * facet's value gives 5 bits of the code (the first byte of its MD5 modulo 32), the first facet the lowest bits.
 */
export const CODED_FACETS = ['f_country', 'f_device_type', 'f_browser', 'f_os', 'f_env', 'f_version', 'f_site', 'f_sdk', 'f_city', 'f_user_email'] as const;
export type CodedFacet = (typeof CODED_FACETS)[number];
export const FACET_CODE_BITS = 5;

/** A facet value's bucket (0–31): the first byte of the MD5 of its UTF-8 bytes, modulo 32, as migration 012's SQL computes it. */
export const facetBucket = (value: string): number => createHash('md5').update(value, 'utf8').digest()[0]! & ((1 << FACET_CODE_BITS) - 1);

/** 2 ** (5 × the facet's place): its bits' place in the code (50 bits in all: a number holds them exactly). */
export const facetPlace = (facet: CodedFacet): number => 2 ** (FACET_CODE_BITS * CODED_FACETS.indexOf(facet));

/**
 * A session's facet code: every facet's bucket in its place. Two sessions with the same facet values have the same
 * code; a code that differs in a facet's bits means a different value. A term row holding it lets the list drop a
 * term's sessions of other countries or devices from the term's index range alone (server/db/search.ts).
 */
export function facetCode(columns: Pick<SessionListColumns, CodedFacet>): number {
  let code = 0;
  for (const facet of CODED_FACETS) code += facetBucket(columns[facet]) * facetPlace(facet);
  return code;
}
