import { describe, expect, test } from 'vitest';
import { injectIntoOpenTabs, injectionPlan, syncContentScripts } from './registerCapture';
import { DEFAULT_ALLOW_PATTERNS } from '../../sdk/schema';

const access = (allow: string[], block: string[] = []) => ({ siteAccess: { allow, block, privateWindows: false } });

describe('injectionPlan', () => {
  test('the default allowlist injects into loopback hosts only, any port', () => {
    expect(injectionPlan(access([...DEFAULT_ALLOW_PATTERNS]))).toEqual({
      matches: ['http://127.0.0.1/*', 'http://[::1]/*', 'http://localhost/*'],
      excludeMatches: [],
    });
  });

  test('schemes, subdomains and blocks become match patterns; a blocked port is left to the gate', () => {
    expect(injectionPlan(access(['*.example.com', 'https://app.test:8443'], ['ads.example.com', 'http://127.0.0.1:9999']))).toEqual({
      matches: ['http://*.example.com/*', 'https://*.example.com/*', 'https://app.test/*'],
      excludeMatches: ['http://ads.example.com/*', 'https://ads.example.com/*'],
    });
  });

  test('nothing allowed, nothing injected', () => {
    expect(injectionPlan(access([])).matches).toEqual([]);
  });
});

describe('syncContentScripts', () => {
  function fakeScripting() {
    let registered: chrome.scripting.RegisteredContentScript[] = [];
    const calls: string[] = [];
    return {
      calls,
      get registered() {
        return registered;
      },
      getRegisteredContentScripts: async () => registered,
      registerContentScripts: async (scripts: chrome.scripting.RegisteredContentScript[]) => {
        calls.push('register');
        registered = [...registered, ...scripts];
      },
      unregisterContentScripts: async () => {
        calls.push('unregister');
        registered = [];
      },
    };
  }

  test('registers the relay before the MAIN-world capture, and only changes what changed', async () => {
    const scripting = fakeScripting();
    await syncContentScripts(access(['http://127.0.0.1:*']), scripting as never);
    expect(scripting.registered.map((s) => [s.id, s.world ?? 'ISOLATED', s.runAt, s.allFrames])).toEqual([
      ['rumscope-relay', 'ISOLATED', 'document_start', true],
      ['rumscope-capture', 'MAIN', 'document_start', true],
    ]);
    await syncContentScripts(access(['http://127.0.0.1:*']), scripting as never);
    expect(scripting.calls).toEqual(['register']);
    await syncContentScripts(access(['http://127.0.0.1:*', 'example.com']), scripting as never);
    expect(scripting.calls).toEqual(['register', 'unregister', 'register']);
    await syncContentScripts(access([]), scripting as never);
    expect(scripting.registered).toEqual([]);
  });
});

describe('injectIntoOpenTabs', () => {
  test('injects the relay then the capture, all frames, into the open tabs its gate allows', async () => {
    const calls: string[] = [];
    const queried: unknown[] = [];
    const tabs = [
      { id: 1, url: 'http://127.0.0.1:8080/', incognito: false },
      { id: 2, url: 'http://localhost/private', incognito: true },
      { id: 3, url: 'http://127.0.0.1/discarded', incognito: false, discarded: true },
      { id: 4, url: 'about:blank', incognito: false },
    ] as chrome.tabs.Tab[];
    const injected = await injectIntoOpenTabs(access([...DEFAULT_ALLOW_PATTERNS]), {
      tabs: { query: (async (query: unknown) => (queried.push(query), tabs)) as never },
      scripting: {
        executeScript: (async (injection: chrome.scripting.ScriptInjection<unknown[], unknown>) => {
          calls.push(`${injection.target.tabId}:${injection.target.allFrames}:${injection.world}:${(injection as { files: string[] }).files.join()}`);
          return [];
        }) as never,
      },
      allowed: async (_site, incognito) => !incognito,
    });
    expect(queried).toEqual([{ url: ['http://127.0.0.1/*', 'http://[::1]/*', 'http://localhost/*'] }]);
    expect(injected).toEqual([1]);
    expect(calls).toEqual(['1:true:ISOLATED:relay.js', '1:true:MAIN:capture.js']);
  });

  test('nothing allowed: no tab is even looked at', async () => {
    const injected = await injectIntoOpenTabs(access([]), {
      tabs: { query: (async () => {
        throw new Error('queried');
      }) as never },
      scripting: { executeScript: (async () => []) as never },
      allowed: async () => true,
    });
    expect(injected).toEqual([]);
  });
});
