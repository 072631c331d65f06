// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { NETWORK_DETAIL_LIMITS } from '../../../schema';
import { validateEvent } from '../../../schema/validate';
import { REDACTED } from '../../tools/redactUrl';
import { buildDetail, createBodyBudget, MAX_DETAIL_JSON_CHARS, parseRawHeaders, requestBody, type DetailContext } from './captureDetail';
import { createDetailRules, isAuthEndpoint, NO_EXTRA_RULES, redactBodyText, redactHeaders } from './redactDetail';

const context = (over: Partial<DetailContext> = {}): DetailContext => ({ rules: NO_EXTRA_RULES, take: createBodyBudget(), ...over });
const CANARY = 'CANARY-hunter2';

describe('network detail redaction', () => {
  it('always redacts credential headers, and the names the user added', () => {
    const rules = createDetailRules({ redactHeaders: ['X-Tenant'], redactFields: [] });
    const headers = redactHeaders(
      [
        ['Authorization', `Bearer ${CANARY}`],
        ['proxy-authorization', CANARY],
        ['Cookie', `sid=${CANARY}`],
        ['set-cookie', CANARY],
        ['X-Api-Key', CANARY],
        ['x-csrf-token', CANARY],
        ['X-XSRF-TOKEN', CANARY],
        ['x-tenant', CANARY],
        ['content-type', 'application/json'],
        ['accept', 'text/html'],
      ],
      rules,
    );
    expect(JSON.stringify(headers)).not.toContain(CANARY);
    expect(headers.filter((h) => h.value === REDACTED)).toHaveLength(8);
    expect(headers.slice(-2)).toEqual([{ name: 'content-type', value: 'application/json' }, { name: 'accept', value: 'text/html' }]);
  });

  it('redacts JSON fields named like secrets at any depth, and user fields', () => {
    const rules = createDetailRules({ redactHeaders: [], redactFields: ['IBAN'] });
    const body = {
      user: 'ann',
      password: CANARY,
      nested: [{ client_secret: CANARY, api_key: CANARY, apiKey: CANARY, credentials: { user: CANARY }, private_key: CANARY, refresh_token: CANARY, iban: CANARY }],
      note: `call with Bearer ${CANARY}`,
    };
    const out = redactBodyText(JSON.stringify(body), 'application/json', rules);
    expect(out.text).not.toContain(CANARY);
    expect(JSON.parse(out.text!)).toMatchObject({ user: 'ann', password: REDACTED, nested: [{ iban: REDACTED, credentials: REDACTED }] });
  });

  it('redacts form fields and text bodies', () => {
    expect(redactBodyText(`user=ann&password=${CANARY}`, 'application/x-www-form-urlencoded', NO_EXTRA_RULES).text).toBe(`user=ann&password=${REDACTED}`);
    expect(redactBodyText(`token: ${CANARY}`, 'text/plain', NO_EXTRA_RULES).text).not.toContain(CANARY);
    const form = new FormData();
    form.append('email', 'ann@example.com');
    form.append('password', CANARY);
    form.append('avatar', new File(['x'.repeat(10)], 'me.png', { type: 'image/png' }));
    const body = requestBody(form, '', 'https://a.test/profile', context())!;
    expect(body.text).not.toContain(CANARY);
    expect(decodeURIComponent(body.text!)).toContain('[File me.png, image/png, 10 bytes]');
  });

  it('never keeps the bodies of login and token endpoints', () => {
    for (const url of ['https://a.test/api/login', 'https://a.test/oauth/token', 'https://a.test/auth', 'https://a.test/v1/sessions/../session', 'https://a.test/users/sign-in?next=/']) {
      expect(isAuthEndpoint(url)).toBe(true);
      expect(requestBody(`{"user":"ann","pw":"${CANARY}"}`, 'application/json', url, context())).toMatchObject({ omitted: 'redacted' });
    }
    for (const url of ['https://a.test/api/cart', 'https://a.test/authors', 'https://a.test/tokenizer-demo']) expect(isAuthEndpoint(url)).toBe(false);
  });

  it('describes binary bodies by type and size', () => {
    expect(requestBody(new Blob(['abc'], { type: 'image/png' }), '', 'https://a.test/up', context())).toEqual({ mimeType: 'image/png', size: 3, omitted: 'binary' });
    expect(requestBody(new Uint8Array(12), 'application/octet-stream', 'https://a.test/up', context())).toEqual({ mimeType: 'application/octet-stream', size: 12, omitted: 'binary' });
  });

  it('caps each body and the load: past the budget, bodies are omitted', () => {
    const big = requestBody('a'.repeat(NETWORK_DETAIL_LIMITS.maxBodyChars * 3), 'text/plain', 'https://a.test/x', context())!;
    expect(big.text!.length).toBe(NETWORK_DETAIL_LIMITS.maxBodyChars);
    expect(big.truncated).toBe(true);
    const ctx = context({ take: createBodyBudget(100) });
    const first = buildDetail([], [], requestBody('x'.repeat(80), 'text/plain', 'https://a.test/x', ctx), null, ctx);
    const second = buildDetail([], [], requestBody('y'.repeat(80), 'text/plain', 'https://a.test/x', ctx), null, ctx);
    expect(first.requestBody?.text).toHaveLength(80);
    expect(second.requestBody).toMatchObject({ omitted: 'session_cap' });
  });

  it('fits one event even when escaping doubles the text, and the event passes the extension validator', () => {
    const ctx = context();
    const quoted = '"\\'.repeat(NETWORK_DETAIL_LIMITS.maxBodyChars);
    const detail = buildDetail(parseRawHeaders('content-type: text/plain\r\nx-request-id: 42\r\n'), [], requestBody(quoted, 'text/plain', 'https://a.test/x', ctx), requestBody(quoted, 'text/plain', 'https://a.test/x', ctx), ctx);
    expect(JSON.stringify(detail).length).toBeLessThanOrEqual(MAX_DETAIL_JSON_CHARS);
    const event = { type: 'api', time: 1, tz: 0, viewId: 'v', via: 'fetch', method: 'POST', url: 'https://a.test/x', status: 200, duration: 1, requestSize: null, responseSize: null, timing: null, detail };
    expect(validateEvent(event)).toMatchObject({ ok: true });
  });
});
