/**
 * The columns a session row carries beside its record JSON so that SQL can filter and sort the list exactly as
 * the panel does in memory: each value is computed by the panel's own pure functions (facetValue, the list's
 * sort values, the novelty keys), never re-implemented in SQL.
 */
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
