/** What the KPI cards show: value, band and its tone, and the change against the previous period. */
import type { KpiComparison, KpiSummary, VitalP75 } from '../../sdk/schema';
import { formatDuration } from '../format';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export interface KpiCard {
  id: 'sessions' | 'duration' | 'errorRate' | 'pages' | 'bounce' | 'sessionsPerUser';
  label: string;
  value: string;
  /** The spec's benchmark band, in words ("Excellent", "Poor engagement"...); null where the spec gives none. */
  band: string | null;
  tone: Tone;
  /** "+12 vs previous period", "−3.1 pts"...; null without a previous period to compare with. */
  delta: string | null;
  /** Whether the change is for the better, for colouring; null when neutral or unknown. */
  better: boolean | null;
}

const DURATION_BANDS = { poor: ['Poor engagement', 'bad'], normal: ['Normal engagement', 'neutral'], high: ['High engagement', 'good'] } as const;
const ERROR_BANDS = {
  excellent: ['Excellent', 'good'],
  good: ['Good', 'good'],
  'needs-attention': ['Needs attention', 'warn'],
  critical: ['Critical issues', 'bad'],
} as const;
const PAGES_BANDS = { low: ['Low: users not exploring', 'warn'], medium: ['Normal browsing', 'good'], high: ['High: engaged or lost', 'neutral'] } as const;

export const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)} %`);
const decimal = (n: number | null): string => (n === null ? '—' : n.toFixed(1));
const signed = (n: number, text: string) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${text}`;

export function kpiCards(kpis: KpiSummary, delta?: KpiComparison['delta']): KpiCard[] {
  const change = (value: number | null | undefined, text: (abs: number) => string, higherIsBetter: boolean | null) => {
    if (value === null || value === undefined) return { delta: null, better: null };
    return { delta: `${signed(value, text(Math.abs(value)))} vs previous period`, better: value === 0 || higherIsBetter === null ? null : value > 0 === higherIsBetter };
  };
  const [dBand, dTone] = kpis.durationBand ? DURATION_BANDS[kpis.durationBand] : [null, 'neutral' as const];
  const [eBand, eTone] = kpis.errorRateBand ? ERROR_BANDS[kpis.errorRateBand] : [null, 'neutral' as const];
  const [pBand, pTone] = kpis.pagesBand ? PAGES_BANDS[kpis.pagesBand] : [null, 'neutral' as const];
  return [
    { id: 'sessions', label: 'Total sessions', value: kpis.totalSessions.toLocaleString('en-US'), band: null, tone: 'neutral', ...change(delta?.totalSessions, (n) => n.toLocaleString('en-US'), null) },
    {
      id: 'duration',
      label: 'Average session duration',
      value: kpis.avgDurationMs === null ? '—' : formatDuration(kpis.avgDurationMs),
      band: dBand,
      tone: dTone,
      ...change(delta?.avgDurationMs, (n) => formatDuration(n), true),
    },
    { id: 'errorRate', label: 'Error rate', value: percent(kpis.errorRate), band: eBand, tone: eTone, ...change(delta?.errorRate, (n) => `${(n * 100).toFixed(1)} pts`, false) },
    { id: 'pages', label: 'Pages per session', value: decimal(kpis.pagesPerSession), band: pBand, tone: pTone, ...change(delta?.pagesPerSession, (n) => n.toFixed(1), null) },
    { id: 'bounce', label: 'Bounce rate', value: percent(kpis.bounceRate), band: null, tone: 'neutral', ...change(delta?.bounceRate, (n) => `${(n * 100).toFixed(1)} pts`, false) },
    { id: 'sessionsPerUser', label: 'Sessions per user', value: decimal(kpis.sessionsPerUser), band: null, tone: 'neutral', delta: null, better: null },
  ];
}

/** "2,380 ms" / "0.042" / "—" for a vital's p75. */
export function formatP75(vital: VitalP75): string {
  if (vital.p75 === null) return '—';
  return vital.name === 'CLS' ? vital.p75.toFixed(3) : `${Math.round(vital.p75).toLocaleString('en-US')} ms`;
}
