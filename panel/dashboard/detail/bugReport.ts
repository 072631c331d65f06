/**
 * "Copy bug report": a session as Markdown ready for an issue tracker — environment, steps to reproduce,
 * errors with stacks, failing API calls, the session id and links (placeholders where the host has none).
 */
import type { ApiEvent, ErrorEvent, SessionRecord, StoredEvent } from '../../../sdk/schema';
import { formatClock, formatGeo, formatNamedVersion, formatSize, formatTimeSpent, formatTimestamp } from '../../format';
import { sessionSteps, type Step } from './steps';

export interface BugReportOptions {
  /** Link to the session in the team dashboard; a placeholder when absent. */
  sessionLink?: string;
  /** Link to the session's replay; a placeholder when absent. */
  replayLink?: string;
  /** Times in this zone (default: the viewer's). */
  timeZone?: string;
  /** Steps listed at most (the last ones are kept). */
  maxSteps?: number;
}

/** Backslash-escapes Markdown's table and emphasis characters in inline text. */
export function mdText(text: string): string {
  return text.replace(/[\\|*_`[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/** Inline code that survives backticks inside it. */
export function mdCode(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}

function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

const target = (name: string, selector: string | null) => `${name ? `"${mdText(name)}"` : 'element'}${selector ? ` (${mdCode(selector)})` : ''}`;

export function stepText(step: Step): string {
  switch (step.kind) {
    case 'open':
      return `Open ${step.url}`;
    case 'navigated':
      return `Arrive at ${step.url}`;
    case 'reload':
      return `Reload the page (${step.url})`;
    case 'back':
      return `Go back to ${step.url}`;
    case 'click':
      return `Click ${target(step.name, step.selector)}`;
    case 'input':
      return `Fill in ${target(step.label, step.selector)}`;
    case 'submit':
      return `Submit ${target(step.name, step.selector)}`;
    case 'custom':
      return `App action ${mdCode(step.name)}`;
  }
}

const failing = (e: StoredEvent): e is StoredEvent & ApiEvent => e.type === 'api' && (e.status === 0 || e.status >= 400);

export function toBugReport(session: SessionRecord, events: readonly StoredEvent[], options: BugReportOptions = {}): string {
  const tz = options.timeZone;
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const errors = sorted.filter((e): e is StoredEvent & ErrorEvent => e.type === 'error');
  const requests = sorted.filter(failing);
  const steps = sessionSteps(sorted);
  const maxSteps = options.maxSteps ?? 50;
  // The page's own errors say more than a failed request's (which the requests table lists anyway).
  const main = errors.find((e) => e.source !== 'network') ?? errors[0];
  const title = main ? `${main.errorType}: ${main.message}` : `Session ${session.id}`;
  const email = typeof session.user?.email === 'string' ? session.user.email : null;
  const lines: string[] = [
    `## ${mdText(title.length > 120 ? `${title.slice(0, 119)}…` : title)}`,
    '',
    `- **Session:** ${mdCode(session.id)} on ${session.site}, started ${formatTimestamp(session.startedAt, tz)}, ${formatTimeSpent(session)}`,
    `- **Session link:** ${options.sessionLink ?? '_(add a link to the session)_'}`,
    `- **Replay:** ${options.replayLink ?? (session.replay ? '_(add a link to the replay)_' : '_(not recorded)_')}`,
    '',
    '### Environment',
    '',
    '| | |',
    '|---|---|',
    `| Browser | ${mdText(formatNamedVersion(session.browser))} |`,
    `| OS | ${mdText(formatNamedVersion(session.os))} |`,
    `| Device | ${mdText(session.deviceType ?? 'Unknown')}, screen ${formatSize(session.screen)}, viewport ${formatSize(session.viewport)} |`,
    `| Application | ${mdText([session.app.service, session.app.version].filter(Boolean).join(' ') || 'Unknown')}${session.app.env ? ` (${mdText(session.app.env)})` : ''} |`,
    `| Location | ${mdText(formatGeo(session.geo))} |`,
    `| Network | ${mdText(session.effectiveType ?? session.connectionType ?? 'Unknown')} |`,
    `| Language | ${mdText(session.language ?? 'Unknown')} |`,
    ...(email ? [`| User | ${mdText(email)} |`] : []),
    '',
    '### Steps to reproduce',
    '',
  ];
  if (!steps.length) lines.push('_No page view or action was recorded._');
  const shown = steps.slice(-maxSteps);
  if (shown.length < steps.length) lines.push(`_(${steps.length - shown.length} earlier steps left out)_`, '');
  shown.forEach((step, i) => lines.push(`${i + 1}. ${stepText(step)} — ${formatClock(step.time, tz)}`));
  lines.push('', `### Errors (${errors.length})`, '');
  if (!errors.length) lines.push('_None._');
  for (const error of errors) {
    lines.push(`- **${mdText(error.errorType)}** (${error.source}, ${formatClock(error.time, tz)}): ${mdText(error.message)}`);
    if (error.stack) lines.push('', fenced(error.stack).replace(/^/gm, '  '));
  }
  lines.push('', `### Failing requests (${requests.length})`, '');
  if (!requests.length) lines.push('_None._');
  else {
    lines.push('| Time | Method | URL | Status | Duration |', '|---|---|---|---|---|');
    for (const r of requests) {
      lines.push(`| ${formatClock(r.time, tz)} | ${mdText(r.method)} | ${mdText(r.url)} | ${r.status || 'network error'} | ${Math.round(r.duration)} ms |`);
    }
  }
  lines.push('', '### Expected', '', '_(what should have happened)_', '');
  return lines.join('\n');
}
