import { describe, expect, it, test } from 'vitest';
import { MAX_URL_LENGTH, REDACTED, redactStack, redactUrl } from './redactUrl';

describe('redactUrl', () => {
  it('replaces the values of secret-looking query parameters and keeps the others', () => {
    expect(redactUrl('https://shop.test/cb?token=abc123&page=2')).toBe(`https://shop.test/cb?token=${REDACTED}&page=2`);
    expect(redactUrl('https://shop.test/?password=hunter2&user=ann')).toBe(`https://shop.test/?password=${REDACTED}&user=ann`);
    expect(redactUrl('https://shop.test/?API_KEY=k&sig=s&jwt=j&otp=1&nonce=n&session_id=x')).toBe(
      `https://shop.test/?API_KEY=${REDACTED}&sig=${REDACTED}&jwt=${REDACTED}&otp=${REDACTED}&nonce=${REDACTED}&session_id=${REDACTED}`,
    );
  });

  it('redacts every occurrence of a repeated parameter', () => {
    expect(redactUrl('https://a.test/?code=1&code=2')).toBe(`https://a.test/?code=${REDACTED}`);
  });

  it('redacts OAuth-style fragments and hash-router queries', () => {
    expect(redactUrl('https://a.test/cb#access_token=xyz&state=s&expires_in=3600')).toBe(
      `https://a.test/cb#access_token=${REDACTED}&state=${REDACTED}&expires_in=3600`,
    );
    expect(redactUrl('https://a.test/#/login?auth=abc&next=home')).toBe(`https://a.test/#/login?auth=${REDACTED}&next=home`);
  });

  it('leaves URLs without secrets exactly as they were (no re-encoding)', () => {
    for (const url of ['https://a.test/path?q=hello%20world&x=1', 'https://a.test/#/route', 'https://a.test/#section-2', 'https://a.test/']) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('keeps relative URLs relative', () => {
    expect(redactUrl('//cdn.test/x.js?key=k')).toBe(`//cdn.test/x.js?key=${REDACTED}`);
    expect(redactUrl('/api/items?token=t&id=4')).toBe(`/api/items?token=${REDACTED}&id=4`);
    expect(redactUrl('api/items?id=4')).toBe('api/items?id=4');
  });

  it('returns empty and unparsable input unchanged', () => {
    expect(redactUrl('')).toBe('');
    expect(redactUrl('http://[broken?token=1')).toBe('http://[broken?token=1');
  });

  it('never lets a secret value through in any URL shape', () => {
    const secret = 'S3CR3T-value';
    const urls = [
      `https://a.test/?password=${secret}`,
      `https://a.test/?x=1&refresh_token=${secret}#frag`,
      `https://a.test/#id_token=${secret}`,
      `https://a.test/#/r?client_secret=${secret}`,
      `//cdn.test/x.js?sessionToken=${secret}`,
    ];
    for (const url of urls) expect(redactUrl(url)).not.toContain(secret);
  });
});

describe('redactUrl: credentials, length, stacks', () => {
  test('drops user:password@ from the authority', () => {
    expect(redactUrl('https://ann:s3cret@api.example.com/x?a=1')).toBe('https://api.example.com/x?a=1');
  });

  test('caps the length so that the event is not refused whole', () => {
    expect(redactUrl('https://a.test/' + 'x'.repeat(40_000)).length).toBe(MAX_URL_LENGTH);
  });

  test('redacts URLs inside a stack trace and keeps line and column', () => {
    const stack = 'Error: boom\n    at f (https://cdn.test/app.js?X-Amz-Signature=abc&v=2:10:5)\n    at https://cdn.test/b.js?token=t:3';
    expect(redactStack(stack)).toBe(
      'Error: boom\n    at f (https://cdn.test/app.js?X-Amz-Signature=REDACTED&v=2:10:5)\n    at https://cdn.test/b.js?token=REDACTED:3',
    );
  });
});
