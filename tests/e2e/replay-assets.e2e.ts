/**
 * Replay assets (issue 14) in real Chromium and Firefox with the built extension: the background keeps the
 * stylesheets, web font and images a recorded page shows — from the page's origin and from a second origin
 * (issue 17) — resolved against their stylesheet, each body once across sessions and sites, and records what
 * it did not keep with the reason.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { DEFAULT_ALLOW_PATTERNS } from '../../sdk/schema';
import { waitFor } from './support/capture';
import { BROWSERS, launchDriver, type Driver, type DriverPage } from './support/driver';
import { byTestId, patchSettingsVia, storageGet } from './support/lifeDriver';

let site: DemoServer;
let other: DemoServer;
beforeAll(async () => {
  site = await startDemoServer();
  other = await startDemoServer();
});
afterAll(async () => {
  await site?.close();
  await other?.close();
});

interface Ref {
  sessionId: string;
  url: string;
  kind: string;
  hash: string | null;
  reason?: string;
  bytes: number;
}

/** The stored bodies without their data (hash, size, owner). */
function readBodies(driver: Driver) {
  return driver.evaluateInExtension(async () => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    try {
      const rows: { hash: string; bytes: number; owner: string; contentType: string }[] = await new Promise((ok, ko) => {
        const request = db.transaction('replayAssets').objectStore('replayAssets').getAll();
        request.onsuccess = () => ok(request.result);
        request.onerror = () => ko(request.error);
      });
      return rows.map(({ hash, bytes, owner, contentType }) => ({ hash, bytes, owner, contentType }));
    } finally {
      db.close();
    }
  });
}

/** Opens the fixture on `from` with its second origin `to`, lets the font and images load, ends the recording. */
async function recordVisit(driver: Driver, from: DemoServer, to: DemoServer): Promise<DriverPage> {
  const page = await driver.openPage(`${from.origin}/fixtures/assets/page.html?other=${encodeURIComponent(to.origin)}`);
  await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
  await waitFor(
    () =>
      page.evaluate(async () => {
        await document.fonts.ready;
        const photo = document.querySelector<HTMLImageElement>('#photo')!;
        return document.fonts.check("italic 300 16px 'Fixture Sans'") && photo.complete && photo.naturalWidth === 37;
      }),
    Boolean,
    'the web font and the image loaded in the page',
  );
  await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
  return page;
}

/** Stops a server now, keep-alive connections (Firefox keeps them) included. */
async function stopServer(server: DemoServer) {
  const closing = server.close();
  server.server.closeAllConnections();
  await closing;
}

/** Plays the session in the panel and reads, from the replay's document, what the live page showed (font, background, image size). */
async function playAndRead(panel: DriverPage, sessionId: string) {
  await waitFor(() => panel.evaluate((id) => !!document.querySelector(`tr[data-session-id="${id}"] [data-testid="play"]:not([disabled])`), sessionId), Boolean, 'an enabled ▶');
  await panel.click(`tr[data-session-id="${sessionId}"] [data-testid="play"]`);
  return waitFor(
    () =>
      panel.evaluate(async () => {
        const current = () => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument;
        const first = current();
        if (!first?.querySelector('#title')) return null;
        await Promise.race([first.fonts.ready, new Promise((ok) => setTimeout(ok, 1000))]);
        // The replayer may have rebuilt the document meanwhile: read the one shown now.
        const doc = current();
        const title = doc?.querySelector('#title');
        const view = doc?.defaultView;
        if (!doc || !title || !view) return null;
        return {
          font: doc.fonts.check("italic 300 16px 'Fixture Sans'") && [...doc.fonts].some((f) => f.family.includes('Fixture Sans') && f.status === 'loaded'),
          family: view.getComputedStyle(title).fontFamily,
          tiled: view.getComputedStyle(doc.querySelector('#tiled')!).backgroundImage,
          photo: doc.querySelector<HTMLImageElement>('#photo')!.naturalWidth,
          missing: document.querySelector('[data-testid="replay-assets"] summary')?.textContent ?? '',
          reasons: [...document.querySelectorAll<HTMLElement>('[data-testid="replay-asset-missing"]')].map((li) => li.dataset.reason),
        };
      }),
    (value) => !!value && value.font && value.photo === 37,
    'the replay with its kept font and image',
  );
}

const keptOf = (refs: Ref[], sessionId: string) => new Map(refs.filter((r) => r.sessionId === sessionId && r.hash).map((r) => [r.url, r]));

describe.each(BROWSERS)('replay assets in %s', (kind) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await launchDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  test("a recorded page's stylesheets, web font and images are kept, from both origins, each body once across sessions", async () => {
    // Only the page's own site is allowed: the allow list decides which pages are recorded, not which of the
    // assets they load are kept (the second origin's stylesheet and font are kept though it is not allowed).
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow', siteAccess: { allow: [site.origin], block: [] } });
    const A = `${site.origin}/fixtures/assets/`;
    const B = `${other.origin}/fixtures/assets/`;
    await recordVisit(driver, site, other);
    const [first] = await waitFor(() => driver.readStore('sessions'), (rows) => rows.length === 1, 'the session');
    const expected = [`${A}tile.png`, `${A}photo.png`, `${B}remote.css`, `${B}open-sans.woff2`, `${B}tile.png`];
    let refs = await waitFor(
      () => driver.readStore<Ref>('replayAssetRefs'),
      (rows) => expected.every((url) => keptOf(rows, first.id).has(url)) && rows.some((r) => r.url === `${site.origin}/fixtures/pixel.svg`),
      'the assets of the first visit',
    );
    const kept = keptOf(refs, first.id);
    // The second origin's stylesheet, and its font and background resolved against it (not against the page).
    expect(kept.get(`${B}remote.css`)!.kind).toBe('stylesheet');
    expect(kept.get(`${B}open-sans.woff2`)).toMatchObject({ kind: 'css', bytes: 40656 });
    expect(kept.get(`${A}photo.png`)).toMatchObject({ kind: 'image' });
    // The same tile from both origins is one body.
    expect(kept.get(`${B}tile.png`)!.hash).toBe(kept.get(`${A}tile.png`)!.hash);
    // Served with Cache-Control: no-store: listed as not kept, with the reason.
    expect(refs.find((r) => r.url === `${site.origin}/fixtures/pixel.svg`)).toMatchObject({ hash: null, reason: 'private' });
    let bodies = await readBodies(driver);
    expect(bodies.find((b) => b.hash === kept.get(`${B}open-sans.woff2`)!.hash)).toMatchObject({ contentType: 'font/woff2', owner: first.id });
    const bodiesAfterFirst = bodies.length;

    // A second session on the other site (now the only one allowed) shows the same files from swapped origins:
    // nothing new is stored for them.
    await patchSettingsVia(driver, { siteAccess: { allow: [other.origin], block: [] } });
    await recordVisit(driver, other, site);
    const second = await waitFor(() => driver.readStore('sessions'), (rows) => rows.length === 2, 'the second session').then((rows) => rows.find((s) => s.id !== first.id)!);
    refs = await waitFor(
      () => driver.readStore<Ref>('replayAssetRefs'),
      (rows) => expected.every((url) => keptOf(rows, second.id).has(url.startsWith(A) ? url.replace(A, B) : url.replace(B, A))),
      'the assets of the second visit',
    );
    const keptSecond = keptOf(refs, second.id);
    expect(keptSecond.get(`${A}open-sans.woff2`)!.hash).toBe(kept.get(`${B}open-sans.woff2`)!.hash);
    bodies = await readBodies(driver);
    const font = bodies.find((b) => b.hash === kept.get(`${B}open-sans.woff2`)!.hash)!;
    expect(font.owner).toBe(first.id);
    for (const url of ['tile.png', 'photo.png', 'remote.css', 'open-sans.woff2']) {
      const hash = (keptSecond.get(`${B}${url}`) ?? keptSecond.get(`${A}${url}`))!.hash;
      expect(bodies.filter((b) => b.hash === hash)).toHaveLength(1);
    }
    expect(bodies.length - bodiesAfterFirst).toBeLessThanOrEqual(1); // at most the other site's copy of an un-inlined local.css
    const sessions = await driver.readStore('sessions');
    const owned = sessions.reduce((sum, s) => sum + (s.replayAssets?.ownedBytes ?? 0), 0);
    // Every body is counted once, in its owner's bytes.
    expect(owned).toBe(bodies.reduce((sum, b) => sum + b.bytes, 0));
    expect(sessions.find((s) => s.id === second.id)!.replayAssets.ownedBytes).toBeLessThan(font.bytes);
    await patchSettingsVia(driver, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS], block: [] } });
  });

  test('private and no-store assets are kept only for an opted-in site; nothing is requested from a blocked site', async () => {
    const home = await startDemoServer();
    const cdn = await startDemoServer();
    try {
      // The second origin is blocked (its pages are never recorded).
      await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow', siteAccess: { block: [cdn.origin] } });
      // The page's own site keeps private assets: opted in on the options page, next to network detail.
      const options = await driver.openExtensionPage('extension/options/index.html', '#assetPrivateSites');
      await waitFor(() => options.evaluate(() => document.querySelector<HTMLTextAreaElement>('#block')?.value ?? ''), (value) => value.includes(cdn.origin), 'the options form');
      await options.fill('#assetPrivateSites', 'not a pattern!');
      await options.click(byTestId('save'));
      await waitFor(() => options.evaluate(() => document.querySelector('.issue[data-for="replayAssets.privateSites"]')?.textContent ?? ''), (text) => text.includes('not a site pattern'), 'the refusal');
      await options.fill('#assetPrivateSites', home.origin);
      await options.click(byTestId('save'));
      await waitFor(async () => (await storageGet(driver, 'local', 'rumscope.settings'))?.replayAssets, (value) => JSON.stringify(value) === JSON.stringify({ privateSites: [home.origin] }), 'the saved opt-in');
      await options.close();
      const before = (await driver.readStore('sessions')).map((s) => s.id);
      await recordVisit(driver, home, cdn);
      const session = await waitFor(() => driver.readStore('sessions'), (rows) => rows.some((s) => s.site === home.origin && !before.includes(s.id)), 'the session').then(
        (rows) => rows.find((s) => s.site === home.origin && !before.includes(s.id))!,
      );
      const pixel = `${home.origin}/fixtures/pixel.svg`;
      const remote = `${cdn.origin}/fixtures/assets/remote.css`;
      const refs = await waitFor(
        async () => (await driver.readStore<Ref>('replayAssetRefs')).filter((r) => r.sessionId === session.id),
        (rows) => [pixel, remote, `${home.origin}/fixtures/assets/photo.png`].every((url) => rows.some((r) => r.url === url)),
        'the assets of the visit',
      );
      // Cache-Control: no-store, kept because the user opted the page's site in.
      expect(refs.find((r) => r.url === pixel)!.hash).toBeTruthy();
      // The blocked site's stylesheet is listed as blocked: never requested, so its font and background are not even known.
      expect(refs.find((r) => r.url === remote)).toMatchObject({ hash: null, reason: 'blocked' });
      expect(refs.filter((r) => r.url.startsWith(cdn.origin))).toHaveLength(1);
      expect(refs.find((r) => r.url === `${home.origin}/fixtures/assets/photo.png`)!.hash).toBeTruthy();
    } finally {
      await patchSettingsVia(driver, { siteAccess: { block: [] }, replayAssets: { privateSites: [] } });
      await stopServer(home);
      await stopServer(cdn);
    }
  });

  test('the replay shows the same font, background and image sizes as the live page after both servers have stopped', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow' });
    const home = await startDemoServer();
    const cdn = await startDemoServer();
    let closed = false;
    try {
      const before = (await driver.readStore('sessions')).map((s) => s.id);
      const page = await recordVisit(driver, home, cdn);
      const live = await page.evaluate(() => ({
        font: document.fonts.check("italic 300 16px 'Fixture Sans'"),
        family: getComputedStyle(document.querySelector('#title')!).fontFamily,
        tiled: getComputedStyle(document.querySelector('#tiled')!).backgroundImage.startsWith('url('),
        photo: document.querySelector<HTMLImageElement>('#photo')!.naturalWidth,
      }));
      expect(live).toMatchObject({ font: true, tiled: true, photo: 37 });
      const session = await waitFor(() => driver.readStore('sessions'), (rows) => rows.some((s) => !before.includes(s.id)), 'the session').then((rows) => rows.find((s) => !before.includes(s.id))!);
      await waitFor(
        () => driver.readStore<Ref>('replayAssetRefs'),
        (rows) => ['remote.css', 'open-sans.woff2', 'photo.png'].every((name) => rows.some((r) => r.sessionId === session.id && r.hash && r.url.endsWith(`/fixtures/assets/${name}`))),
        'the kept assets',
      );
      const tabId = await driver.tabIdOf(page.url());
      await stopServer(home);
      await stopServer(cdn);
      closed = true;

      const panel = await driver.openPanel(tabId);
      const replayed = await playAndRead(panel, session.id);
      expect(replayed!.family).toBe(live.family);
      expect(replayed!.tiled).toMatch(/^url\("blob:/);
      // The no-store image is listed as not kept, with its reason.
      expect(replayed!.reasons).toContain('private');
    } finally {
      if (!closed) {
        await stopServer(home);
        await stopServer(cdn);
      }
    }
  });

  test('an exported bundle carries the kept assets and replays offline in a fresh profile', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow' });
    const home = await startDemoServer();
    const cdn = await startDemoServer();
    let fresh: Driver | undefined;
    try {
      const before = (await driver.readStore('sessions')).map((s) => s.id);
      const page = await recordVisit(driver, home, cdn);
      const live = await page.evaluate(() => getComputedStyle(document.querySelector('#title')!).fontFamily);
      const session = await waitFor(() => driver.readStore('sessions'), (rows) => rows.some((s) => !before.includes(s.id)), 'the session').then((rows) => rows.find((s) => !before.includes(s.id))!);
      await waitFor(
        () => driver.readStore<Ref>('replayAssetRefs'),
        (rows) => ['remote.css', 'open-sans.woff2', 'photo.png', 'tile.png'].every((name) => rows.some((r) => r.sessionId === session.id && r.hash && r.url.endsWith(`/fixtures/assets/${name}`))),
        'the kept assets',
      );
      const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
      await waitFor(() => panel.evaluate(() => !!document.querySelector('[data-testid="export-all"]:not([disabled])')), Boolean, 'Export all');
      const download = await panel.download(() => panel.click('[data-testid="export-all"]'));
      await panel.close();
      const bundle = JSON.parse(download.text);
      const entry = bundle.sessions.find((e: any) => e.session.id === session.id);
      expect(entry.assets.filter((r: Ref) => r.hash).length).toBeGreaterThanOrEqual(5);
      // Each body once, the web font among them.
      const hashes = bundle.assetBodies.map((b: { hash: string }) => b.hash);
      expect(new Set(hashes).size).toBe(hashes.length);
      expect(bundle.assetBodies.some((b: { contentType: string }) => b.contentType === 'font/woff2')).toBe(true);
      await stopServer(home);
      await stopServer(cdn);

      // A fresh profile, with both servers gone: the imported session replays with its font, background and image.
      fresh = await launchDriver(kind);
      const imported = await fresh.openExtensionPage('extension/panelHost/index.html?tabId=-1', '[data-testid="import-file"]');
      // The bundle grown past one runtime message's 64 MiB (Chrome's limit) by 16 more images of 4.5 MiB the
      // session references (made in the page: nothing that large crosses the test driver).
      const fileBytes = await imported.evaluate(
        async ({ text, name, sessionId }) => {
          const grown = JSON.parse(text);
          const entry = grown.sessions.find((e: { session: { id: string } }) => e.session.id === sessionId);
          for (let i = 0; i < 16; i++) {
            const bytes = new Uint8Array(4.5 * 1024 * 1024);
            for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
            const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
            const url = await new Promise<string>((resolve) => {
              const reader = new FileReader();
              reader.onload = () => resolve(reader.result as string);
              reader.readAsDataURL(new Blob([bytes]));
            });
            grown.assetBodies.push({ hash, contentType: 'image/png', data: url.slice(url.indexOf(',') + 1) });
            entry.assets.push({ url: `http://127.0.0.1:9/big-${i}.png`, kind: 'image', hash, bytes: bytes.length, at: entry.session.startedAt });
          }
          const file = new File([JSON.stringify(grown)], name, { type: 'application/json' });
          const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
          const files = new DataTransfer();
          files.items.add(file);
          input.files = files.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
          return file.size;
        },
        { text: download.text, name: download.fileName, sessionId: session.id },
      );
      expect(fileBytes).toBeGreaterThan(64 * 1024 * 1024);
      // The panel's notice ends the import, done or refused (its text then names why); on a loaded machine a 96 MB
      // file takes minutes to read, check and store.
      const readNotice = () => imported.evaluate(() => {
        const notice = document.querySelector('[data-testid="notice"]');
        return { text: notice?.textContent ?? '', refused: !!notice?.classList.contains('bad') };
      });
      const notice = await waitFor(readNotice, ({ text, refused }) => refused || text.includes('Imported'), 'the import notice', 200_000);
      expect(notice.text).toContain(`Imported ${bundle.sessions.length} session`);
      expect((await fresh.readStore('sessions')).length).toBe(bundle.sessions.length);
      // Stored under the same caps as recorded assets: kept up to the session's 50 MiB, the rest named as skipped.
      const big = (await fresh.readStore<Ref>('replayAssetRefs')).filter((r) => r.url.includes('/big-'));
      expect(big.length).toBe(16);
      expect(big.filter((r) => r.hash).length).toBeGreaterThanOrEqual(9);
      expect(big.filter((r) => !r.hash).map((r) => r.reason)).toEqual(expect.arrayContaining(['session_cap']));
      const replayed = await playAndRead(imported, session.id);
      expect(replayed!.family).toBe(live);
      expect(replayed!.tiled).toMatch(/^url\("blob:/);
      expect(replayed!.reasons).toContain('private');
    } finally {
      await fresh?.close();
      await stopServer(home).catch(() => undefined);
      await stopServer(cdn).catch(() => undefined);
    }
  }, 420_000);
});
