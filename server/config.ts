/**
 * The server's configuration, read once from environment variables and validated as a whole: every bad value
 * is reported with its own message before the server refuses to start.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export interface ServerConfig {
  port: number;
  host: string;
  /** `file:<path>` / a path for SQLite, or `postgres://…` for PostgreSQL. */
  databaseUrl: string;
  /** Proxies (IPs or CIDRs) whose X-Forwarded-For / X-Forwarded-Proto are believed; empty = none. */
  trustedProxies: string[];
  /** The URL people reach the server at (login links are built on it); null = from the request. */
  publicUrl: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest upload, in bytes, both as sent (gzip) and once decompressed. */
  maxUploadBytes: number;
  /** Uploads per token per minute. */
  uploadsPerMinute: number;
  /** Failed logins per address (and per email) per 15 minutes. */
  loginAttemptsPer15Min: number;
  /** How long a login session lasts without use, in hours. */
  sessionTtlHours: number;
  /** First-run admin (both or neither). */
  adminEmail: string | null;
  adminPassword: string | null;
  /** Sessions whose last event is older than this many days are deleted with all their data; null = kept forever. */
  retentionDays: number | null;
  /** Time between two retention passes (the first runs at start). */
  retentionIntervalMs: number;
  /** Folder of the built team dashboard (default server/static when built); null = not served. */
  staticDir: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid server configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Default database: an SQLite file under ./data (relative to where the server is started). */
export const DEFAULT_DATABASE_URL = `file:${resolve('data', 'rumscope.sqlite')}`;

export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const port = int('PORT', 8787, 0, 65535);
  const host = value('HOST') ?? '127.0.0.1';
  if (!isIP(host) && !/^[a-z0-9.-]+$/i.test(host)) problems.push(`HOST=${JSON.stringify(host)}: expected an IP address or a host name`);

  const databaseUrl = value('DATABASE_URL') ?? DEFAULT_DATABASE_URL;
  if (!/^(postgres|postgresql):\/\//i.test(databaseUrl) && !/^(file:|sqlite:)/i.test(databaseUrl) && /^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl)) {
    problems.push(`DATABASE_URL: unsupported scheme in ${JSON.stringify(databaseUrl.replace(/\/\/[^@/]*@/, '//…@'))} (use postgres://… or file:<path>)`);
  }

  const trustedProxies = (value('TRUSTED_PROXIES') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const proxy of trustedProxies) {
    const [address, bits, extra] = proxy.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits))) {
      problems.push(`TRUSTED_PROXIES: ${JSON.stringify(proxy)} is not an IP address or CIDR range (e.g. 10.0.0.1 or 10.0.0.0/8)`);
    }
  }

  let publicUrl = value('PUBLIC_URL') ?? null;
  if (publicUrl !== null) {
    try {
      const url = new URL(publicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      publicUrl = url.origin + url.pathname.replace(/\/+$/, '');
    } catch {
      problems.push(`PUBLIC_URL=${JSON.stringify(publicUrl)}: expected an http:// or https:// URL`);
      publicUrl = null;
    }
  }

  const logLevel = (value('LOG_LEVEL') ?? 'info') as ServerConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);

  const maxUploadBytes = int('MAX_UPLOAD_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const uploadsPerMinute = int('UPLOADS_PER_MINUTE', 120, 1, 1_000_000);
  const loginAttemptsPer15Min = int('LOGIN_ATTEMPTS_PER_15_MIN', 10, 1, 10_000);
  const sessionTtlHours = int('SESSION_TTL_HOURS', 24 * 14, 1, 24 * 366);

  const retentionDays = value('RETENTION_DAYS') === undefined ? null : int('RETENTION_DAYS', 0, 1, 36_500);
  const retentionIntervalMs = int('RETENTION_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60) * 60_000;

  const adminEmail = value('ADMIN_EMAIL') ?? null;
  const adminPassword = env.ADMIN_PASSWORD ?? null;
  if ((adminEmail === null) !== (adminPassword === null)) problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) problems.push(`ADMIN_EMAIL=${JSON.stringify(adminEmail)}: not an email address`);
  if (adminPassword !== null && adminPassword.length < 10) problems.push('ADMIN_PASSWORD: a password has at least 10 characters');

  const builtDashboard = resolve(import.meta.dirname, 'static');
  const staticDir = value('STATIC_DIR') ?? (existsSync(builtDashboard) ? builtDashboard : null);

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    host,
    databaseUrl,
    trustedProxies,
    publicUrl,
    logLevel,
    maxUploadBytes,
    uploadsPerMinute,
    loginAttemptsPer15Min,
    sessionTtlHours,
    retentionDays,
    retentionIntervalMs,
    adminEmail,
    adminPassword,
    staticDir,
  };
}
