/**
 * The benchmark page and its storm. The page is the same for every peer (only the first lines of <head>
 * differ: a peer's SDK snippet); its body is generated once, deterministically.
 *
 * Page: a sticky toolbar (one text field, 20 buttons with an icon) over a grid of cards, about 5,000
 * elements in all. The page's own script (identical for every peer, baseline included) does two things:
 * - `__bench.mutate(from, count)`: DOM mutations number from..from+count-1, cycling over five kinds
 *   (attribute, text, child added, child removed, class toggle) on cards spread over the whole page;
 * - a capture-phase mousedown handler on the toolbar and grid that keeps the focus in the text field
 *   (so the key presses go on landing in it); the buttons' click handler toggles aria-pressed, as a
 *   real UI would react to a click (200 more attribute mutations, the same for every peer).
 *
 * Storm (driven from Node, interleaved step by step): STORM.steps steps; each step makes
 * STORM.mutationsPerStep mutations (one evaluate), one trusted click (CDP mouse events) and one trusted
 * key press (CDP key events) into the text field. Clicks: 9 in 10 on a toolbar button (its label, or its
 * text-less icon every 10th step), 1 in 10 on the empty padding of the grid (a click on the page's
 * background, whose nearest text is the whole grid's).
 */
import type { Page } from 'playwright-core';

export const PAGE_ELEMENTS_TARGET = 5000;

export const STORM = {
  steps: 200,
  mutationsPerStep: 10,
  /** 2,000 mutations, 200 clicks, 200 key presses. */
  get mutations() {
    return this.steps * this.mutationsPerStep;
  },
} as const;

const TOOLBAR_BUTTONS = 20;
/** Elements in one card: article, h3, p, ul, 6 × (li, span, b), footer, 2 × a. */
const ELEMENTS_PER_CARD = 1 + 1 + 1 + 1 + 6 * 3 + 1 + 2;
/** html, head, meta, title, style, body, header, input, main, section + toolbar buttons (button, span) + page script. */
const FIXED_ELEMENTS = 10 + TOOLBAR_BUTTONS * 2 + 1;
export const CARDS = Math.round((PAGE_ELEMENTS_TARGET - FIXED_ELEMENTS) / ELEMENTS_PER_CARD);

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');
const word = (i: number) => WORDS[i % WORDS.length]!;

function card(i: number): string {
  const items = Array.from(
    { length: 6 },
    (_, j) => `<li><span class="k">${word(i + j)}</span> <b>${(i * 31 + j * 7) % 1000}</b> units</li>`,
  ).join('');
  return (
    `<article class="card" id="c${i}"><h3>Card ${i} ${word(i)}</h3>` +
    `<p>Status of ${word(i * 3)} ${word(i * 5)}: nominal</p><ul>${items}</ul>` +
    `<footer><a href="#c${i}">Details</a> <a href="#c${(i + 1) % CARDS}">Next</a></footer></article>`
  );
}

/** Runs in the page (all peers): the storm's mutations and the focus keeper. Plain ES2017, no imports. */
const PAGE_SCRIPT = `
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll('#grid > .card'));
  var words = ${JSON.stringify(WORDS)};
  function mutate(from, count) {
    for (var j = from; j < from + count; j++) {
      var card = cards[(j * 7) % cards.length];
      var list = card.querySelector('ul');
      switch (j % 5) {
        case 0: card.setAttribute('data-state', 's' + j); break;
        case 1: card.querySelector('p').textContent = 'Status of ' + words[j % words.length] + ': update ' + j; break;
        case 2: {
          var li = document.createElement('li');
          li.innerHTML = '<span class="k">' + words[(j * 3) % words.length] + '</span> <b>' + j + '</b> new';
          list.appendChild(li);
          break;
        }
        case 3: if (list.firstElementChild) list.removeChild(list.firstElementChild); break;
        default: card.classList.toggle('hot');
      }
    }
  }
  document.addEventListener('mousedown', function (event) {
    if (event.target.closest && event.target.closest('#toolbar, #grid') && event.target.id !== 'field') event.preventDefault();
  }, true);
  document.getElementById('toolbar').addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button');
    if (button) button.setAttribute('aria-pressed', button.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
  });
  // --console-network: per storm step, 10 console calls (the levels a real app uses, with an object) and one
  // fetch POST with a JSON body, whose JSON response the page reads.
  var consoleLevels = ['log', 'info', 'warn', 'debug', 'log', 'log', 'info', 'warn', 'debug', 'error'];
  function consoleAndFetch(step) {
    for (var k = 0; k < 10; k++) {
      console[consoleLevels[k]]('step ' + step + ' call ' + k, { step: step, card: 'c' + ((step * 10 + k) % ${CARDS}), words: words.slice(0, 5) });
    }
    var body = JSON.stringify({ step: step, items: words.map(function (w, i) { return { name: w, qty: i }; }), password: 'bench-secret' });
    return fetch('/echo?step=' + step, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body: body })
      .then(function (r) { return r.json(); });
  }
  window.__bench = {
    consoleAndFetch: consoleAndFetch,
    mutate: mutate,
    elements: function () { return document.getElementsByTagName('*').length; },
  };
})();
`;

const STYLE = `
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; }
#toolbar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 4px; padding: 6px; background: #eef; }
#toolbar input { width: 220px; }
#toolbar button { display: inline-flex; align-items: center; gap: 4px; }
.icon { display: inline-block; width: 14px; height: 14px; background: #88a; border-radius: 3px; }
#grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; padding: 24px 8px 8px; }
.card { border: 1px solid #ccd; border-radius: 4px; padding: 6px; }
.card.hot { background: #fee; }
.card ul { margin: 0; padding-left: 16px; }
`;

let body: string | undefined;

function renderBody(): string {
  const buttons = Array.from(
    { length: TOOLBAR_BUTTONS },
    (_, i) => `<button type="button" class="target" id="b${i}"><span class="icon"></span>Action ${word(i)}</button>`,
  ).join('');
  const cards = Array.from({ length: CARDS }, (_, i) => card(i)).join('');
  return (
    `<header id="toolbar"><input id="field" type="text" placeholder="Type here" aria-label="Search">${buttons}</header>` +
    `<main><section id="grid">${cards}</section></main><script>${PAGE_SCRIPT}</script>`
  );
}

/** The whole document; `head` goes first in <head>, before anything else (a synchronous SDK snippet). */
export function renderBenchPage(head: string): string {
  body ??= renderBody();
  return (
    `<!doctype html><html lang="en"><head>${head}<meta charset="utf-8"><title>Rumscope bench page</title>` +
    `<style>${STYLE}</style></head><body>${body}</body></html>`
  );
}

interface Point {
  x: number;
  y: number;
}

export interface StormPlan {
  /** Click point per step. */
  clicks: Point[];
  /** Elements in the document when the storm was planned. */
  elements: number;
}

/** Where to click, read once after load (outside any measured window). Focuses the text field. */
export async function planStorm(page: Page): Promise<StormPlan> {
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  const layout = (await page.evaluate(`(() => {
    const buttons = Array.from(document.querySelectorAll('#toolbar button'));
    const grid = document.getElementById('grid').getBoundingClientRect();
    document.getElementById('field').focus();
    return {
      labels: buttons.map((b) => { const r = b.getBoundingClientRect(); return { x: r.right - 6, y: r.top + r.height / 2 }; }),
      icons: buttons.map((b) => { const r = b.querySelector('.icon').getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; }),
      background: { x: grid.left + grid.width / 2, y: grid.top + 10 },
      elements: document.getElementsByTagName('*').length,
    };
  })()`)) as { labels: Point[]; icons: Point[]; background: Point; elements: number };
  const clicks = Array.from({ length: STORM.steps }, (_, i): Point => {
    if (i % 10 === 9) return layout.background;
    const button = i % layout.labels.length;
    return i % 10 === 4 ? layout.icons[button]! : layout.labels[button]!;
  });
  return { clicks, elements: layout.elements };
}

/** The storm itself: everything it does lands on the page's main thread as trusted input or DOM work. */
export async function runStorm(page: Page, plan: StormPlan, consoleNetwork = false): Promise<void> {
  for (let i = 0; i < STORM.steps; i++) {
    await page.evaluate(`__bench.mutate(${i * STORM.mutationsPerStep}, ${STORM.mutationsPerStep})`);
    if (consoleNetwork) await page.evaluate(`__bench.consoleAndFetch(${i})`);
    const { x, y } = plan.clicks[i]!;
    await page.mouse.click(x, y);
    await page.keyboard.press(`Key${String.fromCharCode(65 + (i % 26))}`);
  }
}
