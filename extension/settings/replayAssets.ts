import type { RumscopeSettings } from '../../sdk/schema';
import { decideSite, originOf } from './siteAccess';
import { matchesAnySite } from './networkDetail';

/** What the asset fetcher may do with one asset of a recorded page (docs/replay-assets.md, Privacy). */
export interface AssetPrivacy {
  /** The asset's site or the page's is on the block list: not requested at all. */
  blocked: boolean;
  /** The page's site is opted in to keeping `Cache-Control: private` / `no-store` responses. */
  allowPrivate: boolean;
}

/**
 * Assets of other origins that the page loaded are kept (the allow list decides which pages are recorded, not
 * which of their assets are kept); a block pattern matching the asset's site or the page's wins over everything.
 */
export function assetPrivacyFor(settings: RumscopeSettings, pageUrl: string | null, assetUrl: string): AssetPrivacy {
  const page = pageUrl ? originOf(pageUrl) : null;
  const asset = originOf(assetUrl);
  const blocked = [page, asset].some((origin) => origin !== null && decideSite(origin, settings).reason === 'blocked');
  return { blocked, allowPrivate: !blocked && page !== null && matchesAnySite(settings.replayAssets.privateSites, page) };
}
