import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { JsonValue, VitalName, VitalRating } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { observePerformance, supportsEntryType } from '../../tools/observePerformance';
import { getSelector } from '../action/getActionName';
import type { ViewState } from '../view/startViewCollection';

/** The entry type each metric needs: where the browser lacks it (Firefox: layout-shift), it is "not supported". */
const NEEDS: Record<VitalName, string> = {
  LCP: 'largest-contentful-paint',
  FID: 'first-input',
  CLS: 'layout-shift',
  TTFB: 'navigation',
  INP: 'event',
  FCP: 'paint',
};

type Entry = PerformanceEntry & { element?: Element | null; url?: string; target?: Node | null; value?: number; sources?: { node?: Node | null }[] };

const selectorOf = (node: Node | null | undefined) => (node instanceof Element ? getSelector(node) : null);

/** A small attribution of our own (web-vitals/attribution costs ~2 KB gzip more): which element, which event. */
function attribute(name: VitalName, entries: Entry[], redactUrl: (url: string) => string): Record<string, JsonValue> | undefined {
  if (name === 'LCP') {
    const entry = entries.at(-1);
    return entry && { element: selectorOf(entry.element), url: entry.url ? redactUrl(entry.url) : null };
  }
  if (name === 'CLS') {
    const largest = entries.reduce<Entry | undefined>((max, e) => ((e.value ?? 0) > (max?.value ?? -1) ? e : max), undefined);
    return largest && { target: selectorOf(largest.sources?.find((s) => s.node)?.node), largestShift: largest.value ?? null, largestShiftTime: Math.round(largest.startTime) };
  }
  if (name === 'INP' || name === 'FID') {
    const entry = entries[0];
    return entry && { target: selectorOf(entry.target), type: entry.name };
  }
  return undefined;
}

const rate = (value: number, good: number, poor: number): VitalRating => (value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor');

/**
 * Web Vitals: LCP, CLS, INP, FCP, TTFB from web-vitals 6 (reported when final, as web-vitals does),
 * FID from the first-input entry (web-vitals 5+ dropped onFID). A metric the browser cannot measure is sent
 * once as value null, supported false. Page-load metrics belong to the view the page loaded in.
 */
export function startVitalCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, redactUrl: (url: string) => string) {
  const loadViewId = view.viewId;
  const emit = (name: VitalName, value: number | null, rating: VitalRating | null, entries: Entry[], viewId: string) => {
    const attribution = value === null ? undefined : attribute(name, entries, redactUrl);
    lifeCycle.notify('rawEvent', {
      type: 'vital',
      ...eventBase(viewId),
      name,
      value: value === null ? null : Math.round(value * (name === 'CLS' ? 10_000 : 10)) / (name === 'CLS' ? 10_000 : 10),
      supported: value !== null,
      rating,
      ...(attribution && { attribution }),
    });
  };
  const report = (metric: Metric) => {
    const name = metric.name as VitalName;
    const perView = name === 'CLS' || name === 'INP' || metric.navigationType === 'back-forward-cache';
    emit(name, metric.value, metric.rating, metric.entries as Entry[], perView ? view.viewId : loadViewId);
  };
  const supportsInp = supportsEntryType('event') && typeof PerformanceEventTiming !== 'undefined' && 'interactionId' in PerformanceEventTiming.prototype;
  for (const [name, type] of Object.entries(NEEDS) as [VitalName, string][]) {
    if (name === 'INP' ? !supportsInp : !supportsEntryType(type)) emit(name, null, null, [], loadViewId);
  }
  const guarded = guard(report);
  onLCP(guarded);
  onCLS(guarded);
  onINP(guarded);
  onFCP(guarded);
  onTTFB(guarded);
  let firstInput = false;
  const fid = observePerformance<PerformanceEventTiming>('first-input', guard, (entry) => {
    if (firstInput) return;
    firstInput = true;
    const value = entry.processingStart - entry.startTime;
    emit('FID', value, rate(value, 100, 300), [entry], loadViewId);
  });
  return {
    // web-vitals has no way to unsubscribe; its callbacks go quiet with the bus.
    stop: fid.stop,
  };
}
