import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('server configuration', () => {
  it('defaults to loopback, port 8787 and an SQLite file under ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8787, trustedProxies: [], publicUrl: null });
    expect(config.databaseUrl).toMatch(/^file:.*data[\\/]rumscope\.sqlite$/);
  });

  it('keeps sessions forever unless RETENTION_DAYS is set, and runs the retention hourly by default', () => {
    expect(loadConfig({})).toMatchObject({ retentionDays: null, retentionIntervalMs: 3_600_000 });
    expect(loadConfig({ RETENTION_DAYS: '30', RETENTION_INTERVAL_MINUTES: '5' })).toMatchObject({ retentionDays: 30, retentionIntervalMs: 300_000 });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/rum',
      TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1',
      PUBLIC_URL: 'https://rum.example.com/',
      ADMIN_EMAIL: 'a@example.com',
      ADMIN_PASSWORD: 'long enough pass',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/rum',
      trustedProxies: ['10.0.0.1', '192.168.0.0/16', '::1'],
      publicUrl: 'https://rum.example.com',
      adminEmail: 'a@example.com',
    });
  });

  it('reports each bad value with its own message, and never echoes a database password', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '99999',
        HOST: 'bad host',
        DATABASE_URL: 'mysql://root:hunter2@db/rum',
        TRUSTED_PROXIES: 'proxy.local',
        PUBLIC_URL: 'ftp://x',
        LOG_LEVEL: 'loud',
        ADMIN_EMAIL: 'a@example.com',
        RETENTION_DAYS: 'a month',
        RETENTION_INTERVAL_MINUTES: '0',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(9);
    expect(problems.join('\n')).toMatch(/RETENTION_DAYS="a month": expected a whole number from 1 to 36500/);
    expect(problems.join('\n')).toMatch(/RETENTION_INTERVAL_MINUTES="0": expected a whole number from 1 to 10080/);
    expect(problems.join('\n')).toMatch(/PORT="99999": expected a whole number from 0 to 65535/);
    expect(problems.join('\n')).toMatch(/TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range/);
    expect(problems.join('\n')).toMatch(/ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
