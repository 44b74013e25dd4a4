#!/usr/bin/env node
// Headless-Chromium check of the BUILT book.
//
//   node tests/browser/check.mjs <book-dir> <expected-chapters.json> <screenshot-dir>
//
// Opens <book-dir>/index.html from disk in Chromium (driven by playwright-core; no browser
// is downloaded) and fails if:
//   - the page makes any request whose URL is not file:, data:, blob: or about: (the book must read
//     offline: no CDN, no web fonts, no analytics), or a file: request fails (e.g. a missing font);
//   - the sidebar's chapter titles differ, in order, from the JSON array of strings in
//     <expected-chapters.json> (produced from src/SUMMARY.md by `cargo xtask test`);
//   - a chapter page has a JavaScript error, raw TeX left in its text (`$$`, `\[`, `$\`), a KaTeX
//     error, or KaTeX output whose fonts did not load;
//   - an <img> has not loaded (naturalWidth 0) or points outside the book;
//   - an <audio> (or its <source>) points to a file that does not exist in the book, or does not
//     know its clip's length before it is played (its metadata is not preloaded);
//   - a figure is wider than the column (the page scrolls sideways, or an image's right edge
//     passes the text column's), or its smallest text is shown smaller than MIN_TEXT_PX CSS px in
//     the desktop column: for an SVG, its smallest font-size (of any <text> or <tspan>) times the
//     displayed / intrinsic width; for a PNG or GIF, the smallest text the kit drew into it, which
//     bookkit records in the file ("min-text-px", in the file's own pixels; "none" for a picture
//     without text), times the displayed / natural width. A raster without that record fails: its
//     text cannot be checked;
//   - a caption has a line that ends in "(" or a command (<code>) broken inside a word;
//   - on a 390-px phone (deviceScaleFactor 3): any page scrolls sideways (the document or mdBook's
//     content box), a figure cannot be opened at full size (a tap must show the figure's own
//     file at its own width, theme/figures.js), or a figure's phone layout (<picture><source>)
//     shows text smaller than MIN_TEXT_PX;
//   - in the dark themes (coal, navy, ayu): any text of a chapter has a contrast against its
//     background below WCAG AA (4.5:1, or 3:1 for large text), or a figure is an unframed white
//     block (its light page needs padding and rounded corners).
// Every <figure> is also captured at device pixel ratio 1 and 2 into <screenshot-dir>/figures/
// (<page>-<n>-1x.png, -2x.png), on the phone into <screenshot-dir>/phone/ and in the coal theme
// into <screenshot-dir>/dark/, for review by eye.
// It saves a screenshot of the first page and of the first page with math into <screenshot-dir>.

import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHROMIUM = findChromium();
const ALLOWED_SCHEMES = ['file:', 'data:', 'blob:', 'about:'];
/// The size floor for figure text, in CSS px at the size the book displays the figure.
const MIN_TEXT_PX = 11;
/// What layout rounding may take off a figure's displayed width (a 720-px figure laid out at
/// 719.99 px), in CSS px of text size.
const LAYOUT_SLACK = 0.02;

/// The smallest font-size and the intrinsic width of an SVG file (the figures write both as
/// plain attributes: `width="720"` on the root, `font-size="11"` on each <text> and on each
/// <tspan> that changes it, e.g. a subscript).
function svgTextFacts(file) {
  const svg = readFileSync(file, 'utf8');
  const width = Number((svg.match(/<svg[^>]*\swidth="([\d.]+)"/) || [])[1]);
  const sizes = [...svg.matchAll(/<(?:text|tspan)[^>]*\sfont-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  return { width, minFont: sizes.length ? Math.min(...sizes) : null };
}

/// The smallest text a PNG or GIF holds, in the file's own pixels, as bookkit records it when it
/// writes the file (a PNG tEXt chunk or a GIF comment "min-text-px", followed by the number or
/// "none"). `undefined` when the file carries no record.
function rasterTextPx(file) {
  const bytes = readFileSync(file);
  const at = bytes.indexOf('min-text-px');
  if (at < 0) return undefined;
  const value = bytes.subarray(at + 'min-text-px'.length + 1, at + 'min-text-px'.length + 16).toString('latin1');
  const m = value.match(/^(none|[\d.]+)/);
  if (!m) return undefined;
  return m[1] === 'none' ? null : Number(m[1]);
}

const THEMES_DARK = ['coal', 'navy', 'ayu'];
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

function usage(msg) {
  console.error(`browser check: ${msg}`);
  console.error('usage: node tests/browser/check.mjs <book-dir> <expected-chapters.json> <screenshot-dir>');
  process.exit(2);
}

const [bookArg, expectedArg, outArg] = process.argv.slice(2);
if (!bookArg || !expectedArg || !outArg) usage('missing argument');
const bookDir = resolve(bookArg);
const indexFile = join(bookDir, 'index.html');
if (!existsSync(indexFile)) usage(`${indexFile} does not exist: build the book first (cargo xtask book)`);
let expected;
try {
  expected = JSON.parse(readFileSync(expectedArg, 'utf8'));
} catch (e) {
  usage(`cannot read ${expectedArg} as JSON: ${e.message}`);
}
if (!Array.isArray(expected) || !expected.every((t) => typeof t === 'string')) {
  usage(`${expectedArg} must hold a JSON array of strings (chapter titles in SUMMARY.md order)`);
}
if (!CHROMIUM || !existsSync(CHROMIUM)) usage(`Chromium not found (apt-get install -y chromium, or set CHROMIUM=...)`);
const outDir = resolve(outArg);
mkdirSync(outDir, { recursive: true });

const failures = new Set(); // a Set: a page's late events must not repeat a problem
const fail = (msg) => failures.add(msg);

/// Titles as the sidebar shows them: SUMMARY.md's Markdown and mdBook's smart punctuation undone.
function normTitle(t) {
  return t
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u2014/g, '---')
    .replace(/\u2013/g, '--')
    .replace(/\u2026/g, '...')
    .replace(/[`*_]/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/// The file a file: URL names, if it is inside the book (null otherwise).
function bookFile(url) {
  const u = new URL(url);
  if (u.protocol !== 'file:') return null;
  u.hash = '';
  u.search = '';
  const p = fileURLToPath(u);
  return p === bookDir || p.startsWith(bookDir + sep) ? p : null;
}

const rel = (url) => {
  try {
    const p = fileURLToPath(new URL(url));
    return p.startsWith(bookDir + sep) ? p.slice(bookDir.length + 1) : url;
  } catch {
    return url;
  }
};

/// Screenshot of the current page with its first formula (display math first) in view.
/// Captures every <figure> of the given pages at device pixel ratio 1 and 2, as a reader on an
/// ordinary and on a HiDPI screen sees it.
async function shootFigures(browser, urls, dir) {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const scale of [1, 2]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: scale });
    const page = await context.newPage();
    for (const url of urls) {
      await page.goto(url, { waitUntil: 'load' });
      const name = rel(url).replace(/\.html$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
      const figures = await page.$$('main figure');
      for (const [i, f] of figures.entries()) {
        await f.scrollIntoViewIfNeeded();
        await f.screenshot({ path: join(dir, `${name}-${i + 1}-${scale}x.png`) });
        n++;
      }
    }
    await context.close();
  }
  return n;
}

/// Runs in the page: how far the page's column scrolls sideways (the document, or mdBook's
/// scrolling content box, #mdbook-content), and the element that reaches furthest past the
/// column without a scrolling box of its own; `null` when nothing scrolls sideways.
function sidewaysScroll() {
  const boxes = [document.scrollingElement, document.getElementById('mdbook-content')].filter(Boolean);
  const over = Math.max(...boxes.map((b) => b.scrollWidth - b.clientWidth));
  if (over <= 1) return null;
  const main = document.querySelector('main');
  const right = main.getBoundingClientRect().right;
  const contained = (e) => {
    for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  let worst = null;
  for (const e of main.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.right > right + 1 && !contained(e) && (!worst || r.right > worst.right)) {
      worst = { right: r.right, what: `<${e.tagName.toLowerCase()} class="${String(e.className).slice(0, 40)}">` };
    }
  }
  return { over, worst: worst ? `${worst.what} reaches ${worst.right.toFixed(0)} px, the column ends at ${right.toFixed(0)} px` : 'no single element found' };
}

/// A file name for captures of the page at `url`.
const pageName = (url) => rel(url).replace(/\.html$/, '').replace(/[^A-Za-z0-9_-]/g, '_');

/// Waits until every image of the page's main column has loaded (or failed) and fonts are ready.
async function settle(page) {
  await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll('main img')];
    imgs.forEach((img) => (img.loading = 'eager'));
    await Promise.all(imgs.map((img) => (img.complete ? null : new Promise((ok) => {
      img.addEventListener('load', ok, { once: true });
      img.addEventListener('error', ok, { once: true });
      setTimeout(ok, 10_000);
    }))));
    await document.fonts.ready;
  });
}

/// Every page on a 390-px phone: nothing scrolls sideways, and a tap on any figure shows the
/// figure's own file at its own width. Captures every figure as the phone shows it.
async function phoneCheck(browser, urls, dir) {
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext(PHONE);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  let where = '';
  page.on('pageerror', (e) => fail(`${where} on a phone: JavaScript error: ${e.message}`));
  let pages = 0;
  let opened = 0;
  for (const url of urls) {
    where = rel(url);
    await page.goto(url, { waitUntil: 'load' });
    await settle(page);
    pages++;
    const sideways = await page.evaluate(sidewaysScroll);
    if (sideways) fail(`${where} on a 390-px phone: the page scrolls sideways by ${sideways.over} px (${sideways.worst})`);
    const figures = page.locator('main figure img');
    const n = await figures.count();
    for (let i = 0; i < n; i++) {
      const img = figures.nth(i);
      await img.scrollIntoViewIfNeeded();
      const own = await img.evaluate((e) => e.src);
      // A figure laid out for phones must be legible as shown, like the desktop's.
      const shownAs = await img.evaluate((e) => {
        const cs = getComputedStyle(e);
        return { src: e.currentSrc, width: e.getBoundingClientRect().width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) };
      });
      const narrow = shownAs.src !== own ? bookFile(shownAs.src) : null;
      if (narrow && narrow.endsWith('.svg') && existsSync(narrow)) {
        const { width, minFont } = svgTextFacts(narrow);
        const px = minFont !== null && width > 0 ? (minFont * shownAs.width) / width : null;
        if (px !== null && px < MIN_TEXT_PX - LAYOUT_SLACK) fail(`${where} on a phone: ${rel(shownAs.src)}: smallest text shown at ${px.toFixed(1)} px, below ${MIN_TEXT_PX} px`);
      }
      if (i === 0 || !(await img.evaluate((e) => !!e.closest('.audio-clip')))) {
        await img.screenshot({ path: join(dir, `${pageName(url)}-${i + 1}-3x.png`) });
      }
      await img.tap();
      const ok = await page
        .waitForFunction(() => {
          const im = document.querySelector('dialog[open] img');
          return !!(im && im.complete && im.naturalWidth > 0);
        }, null, { timeout: 3_000 })
        .then(() => true, () => false);
      if (!ok) {
        fail(`${where} on a phone: figure ${i + 1} (${rel(own)}) does not open at full size when tapped`);
        continue;
      }
      const full = await page.evaluate(() => {
        const im = document.querySelector('dialog[open] img');
        const cs = getComputedStyle(im);
        const width = im.getBoundingClientRect().width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return { src: im.src, width, natural: im.naturalWidth };
      });
      if (full.src !== own) fail(`${where} on a phone: figure ${i + 1} opens ${rel(full.src)}, not its own file ${rel(own)}`);
      else if (full.width < full.natural - 1) fail(`${where} on a phone: figure ${i + 1} (${rel(own)}) opens at ${full.width.toFixed(0)} px, not its full ${full.natural} px`);
      else opened++;
      if (i === 0 && pages <= 3) await page.screenshot({ path: join(dir, `${pageName(url)}-full-size.png`) });
      await page.keyboard.press('Escape');
      const closed = await page
        .waitForFunction(() => !document.querySelector('dialog[open]'), null, { timeout: 3_000 })
        .then(() => true, () => false);
      if (!closed) {
        fail(`${where} on a phone: the full-size view of figure ${i + 1} does not close with Escape`);
        await page.evaluate(() => document.querySelector('dialog[open]')?.close());
      }
    }
  }
  await context.close();
  return { pages, opened };
}

/// Every page in each dark theme: the contrast of every text of the chapter against what lies
/// behind it (WCAG 2 relative luminance; AA: 4.5:1, 3:1 for text of 24 px, or 18.7 px bold), and
/// every figure's light page framed (padding and rounded corners). Captures the figures in coal.
async function darkCheck(browser, urls, dir) {
  mkdirSync(dir, { recursive: true });
  let texts = 0;
  for (const theme of THEMES_DARK) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((t) => localStorage.setItem('mdbook-theme', t), theme);
    const page = await context.newPage();
    for (const url of urls) {
      const where = `${rel(url)} in the ${theme} theme`;
      await page.goto(url, { waitUntil: 'load' });
      await settle(page);
      const result = await page.evaluate(() => {
        const parse = (c) => {
          const m = c.match(/rgba?\(([^)]+)\)/);
          if (!m) return null;
          const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
          return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
        };
        const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
        const lum = ([r, g, b]) => {
          const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const contrast = (a, b) => {
          const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
          return (hi + 0.05) / (lo + 0.05);
        };
        const behind = (el) => {
          const layers = [];
          for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0) layers.push(c);
          }
          return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]);
        };
        const opacity = (el) => {
          let o = 1;
          for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
          return o;
        };
        const main = document.querySelector('main');
        const seen = new Map();
        let count = 0;
        const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.data.trim()) continue;
          const el = n.parentElement;
          if (el.closest('script, style, .katex-mathml, dialog:not([open]), [hidden], [aria-hidden="true"]')) continue;
          const rect = el.getBoundingClientRect();
          const cs = getComputedStyle(el);
          if (rect.width <= 1 || rect.height <= 1 || cs.visibility !== 'visible' || cs.display === 'none') continue;
          count++;
          const bg = behind(el);
          const fg = parse(cs.color);
          const o = opacity(el);
          const shown = over([fg[0], fg[1], fg[2], fg[3] * o], bg);
          const size = parseFloat(cs.fontSize);
          const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
          const need = large ? 3 : 4.5;
          const c = contrast(shown, bg);
          if (c < need) {
            const key = `${cs.color}|${bg.map(Math.round).join(',')}|${o.toFixed(2)}`;
            if (!seen.has(key)) seen.set(key, { text: n.data.trim().slice(0, 40), where: el.tagName.toLowerCase() + (el.className ? `.${String(el.className).split(' ')[0]}` : ''), ratio: c.toFixed(2), need });
          }
        }
        const unframed = [...main.querySelectorAll('figure img')]
          .filter((img) => {
            const cs = getComputedStyle(img);
            return !(parseFloat(cs.paddingLeft) >= 4 && parseFloat(cs.borderTopLeftRadius) >= 4);
          })
          .map((img) => img.getAttribute('src'));
        return { count, low: [...seen.values()], unframed, theme: document.documentElement.className };
      });
      if (!result.theme.split(' ').includes(theme)) fail(`${where}: the page did not switch to the theme (html class "${result.theme}")`);
      texts += result.count;
      for (const l of result.low) fail(`${where}: text "${l.text}" (${l.where}) has contrast ${l.ratio}:1 against its background, below WCAG AA ${l.need}:1`);
      for (const src of result.unframed) fail(`${where}: figure ${src} is an unframed white block (no padding and rounded corners)`);
      if (theme === 'coal') {
        const figures = await page.$$('main figure');
        for (const [i, f] of figures.entries()) {
          await f.scrollIntoViewIfNeeded();
          await f.screenshot({ path: join(dir, `${pageName(url)}-${i + 1}-coal.png`) });
        }
      }
    }
    await context.close();
  }
  return { texts };
}

async function shootMath(page, dir) {
  const target = (await page.$('.katex-display')) ? '.katex-display' : '.katex';
  await page.evaluate((sel) => document.querySelector(sel).scrollIntoView({ block: 'center' }), target);
  const path = join(dir, 'math-page.png');
  await page.screenshot({ path });
  return path;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();

  // Every request any page of this context makes, whatever starts it (HTML, CSS, JS, media).
  const requests = [];
  const external = [];
  let currentPage = 'index.html';
  const origin = new WeakMap(); // request -> the page being checked when it started
  const watch = (p) => {
    p.on('request', (r) => {
      const url = r.url();
      requests.push(url);
      origin.set(r, currentPage);
      let scheme;
      try {
        scheme = new URL(url).protocol;
      } catch {
        scheme = '?';
      }
      if (!ALLOWED_SCHEMES.includes(scheme)) external.push(`${url}  (from ${currentPage})`);
    });
    p.on('requestfailed', (r) => {
      const url = r.url();
      // ERR_ABORTED: the load was cancelled (we navigated on, or a media element had enough);
      // a file that is really missing fails with ERR_FILE_NOT_FOUND.
      if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
      if (url.startsWith('file:')) fail(`${origin.get(r) ?? currentPage}: could not load ${rel(url)} (${r.failure()?.errorText})`);
    });
    p.on('pageerror', (e) => fail(`${currentPage}: JavaScript error: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') console.error(`    (console error on ${currentPage}: ${m.text()})`);
    });
  };
  watch(page);
  context.on('page', (p) => p !== page && watch(p));

  // 1. The first page and its sidebar.
  await page.goto(pathToFileURL(indexFile).href, { waitUntil: 'load' });
  await page.waitForSelector('#mdbook-sidebar li.chapter-item a', { state: 'attached' });
  const sidebar = await page.$$eval('#mdbook-sidebar li.chapter-item', (items) =>
    items
      .map((li) => {
        const label = li.querySelector(':scope > .chapter-link-wrapper, :scope > a, :scope > div, :scope > span');
        if (!label) return null;
        const clone = label.cloneNode(true);
        clone.querySelectorAll('strong').forEach((s) => s.remove()); // the "2.1." section numbers
        const a = label.querySelector('a[href]');
        return { title: clone.textContent.trim(), href: a ? a.href : null };
      })
      .filter((x) => x && x.title !== ''),
  );
  const got = sidebar.map((s) => normTitle(s.title));
  const want = expected.map(normTitle);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    const n = Math.max(got.length, want.length);
    const lines = [];
    for (let i = 0; i < n; i++) {
      const mark = got[i] === want[i] ? '  ' : '!!';
      lines.push(`    ${mark} ${String(i + 1).padStart(2)}. sidebar: ${JSON.stringify(got[i] ?? null)}  expected: ${JSON.stringify(want[i] ?? null)}`);
    }
    fail(`sidebar chapters differ from ${expectedArg} (${got.length} vs ${want.length}):\n${lines.join('\n')}`);
  }
  for (const s of sidebar) if (!s.href) fail(`sidebar entry "${s.title}" has no link (draft chapter?)`);
  await page.screenshot({ path: join(outDir, 'first-page.png') });

  // 2. Every page: index.html, then every sidebar link in order.
  const urls = [pathToFileURL(indexFile).href];
  for (const s of sidebar) {
    if (!s.href) continue;
    const u = new URL(s.href);
    u.hash = '';
    if (!urls.includes(u.href)) urls.push(u.href);
  }

  let pages = 0;
  const figurePages = [];
  let images = 0;
  let mathBlocks = 0;
  let audios = 0;
  let mathShot = null; // a page with display math is preferred, else the first with inline math
  let inlineMathUrl = null;
  for (const url of urls) {
    currentPage = rel(url);
    const file = bookFile(url);
    if (!file || !existsSync(file)) {
      fail(`${currentPage}: sidebar links to a page that is not in the book`);
      continue;
    }
    if (url !== page.url()) await page.goto(url, { waitUntil: 'load' });
    pages++;

    const info = await page.evaluate(async () => {
      const main = document.querySelector('main') || document.body;
      // Lazy images: make them load now, and wait for every image to settle.
      const imgs = [...main.querySelectorAll('img')];
      imgs.forEach((img) => (img.loading = 'eager'));
      await Promise.all(
        imgs.map((img) =>
          img.complete
            ? null
            : new Promise((ok) => {
                img.addEventListener('load', ok, { once: true });
                img.addEventListener('error', ok, { once: true });
                setTimeout(ok, 10_000);
              }),
        ),
      );
      await document.fonts.ready;
      // Text outside code: raw TeX would show here if KaTeX did not run.
      const clone = main.cloneNode(true);
      clone.querySelectorAll('pre, code, script, style, .katex').forEach((e) => e.remove());
      const text = clone.textContent;
      const katex = [...main.querySelectorAll('.katex')];
      const katexFonts = [...document.fonts].filter((f) => f.family.replace(/"/g, '').startsWith('KaTeX_'));
      const media = [...main.querySelectorAll('audio')].map((a) => ({
        src: a.getAttribute('src') ? a.src : null,
        sources: [...a.querySelectorAll('source')].map((s) => s.src),
      }));
      return {
        images: imgs.map((i) => ({
          src: i.currentSrc || i.src,
          w: i.naturalWidth,
          complete: i.complete,
          // The picture's own width: padding (the dark themes' frame) is not part of it.
          shownWidth: i.getBoundingClientRect().width - parseFloat(getComputedStyle(i).paddingLeft) - parseFloat(getComputedStyle(i).paddingRight),
          right: i.getBoundingClientRect().right,
          inFigure: !!i.closest('figure'),
        })),
        captions: [...main.querySelectorAll('figcaption')].map((c) => {
          // Where each line of the caption ends: the last character before the next one starts
          // lower down. Commands (<code>) must sit on one line.
          // A command (<code>) may break between its words, never inside one.
          const ends = [];
          const broken = new Set();
          const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
          let prev = null;
          let space = false;
          const range = document.createRange();
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const code = n.parentElement.closest('code');
            for (let k = 0; k < n.length; k++) {
              if (/\s/.test(n.data[k])) {
                space = true;
                continue;
              }
              range.setStart(n, k);
              range.setEnd(n, k + 1);
              const r = range.getClientRects()[0];
              if (!r) continue;
              if (prev && r.top > prev.top + prev.height / 2) {
                ends.push(prev.ch);
                if (code && prev.code === code && !space) broken.add(code.textContent);
              }
              prev = { top: r.top, height: r.height, ch: n.data[k], code };
              space = false;
            }
          }
          return { id: c.closest('figure')?.id || '?', ends, broken: [...broken] };
        }),
        columnRight: main.getBoundingClientRect().right,
        sideways: Math.max(
          ...[document.scrollingElement, document.getElementById('mdbook-content')].filter(Boolean).map((b) => b.scrollWidth - b.clientWidth),
        ),
        figures: main.querySelectorAll('figure').length,
        katex: katex.length,
        display: main.querySelectorAll('.katex-display').length,
        katexErrors: [...main.querySelectorAll('.katex-error')].map((e) => e.getAttribute('title') || e.textContent),
        katexFontFamily: katex.length ? getComputedStyle(katex[0]).fontFamily : '',
        katexFontsLoaded: katexFonts.filter((f) => f.status === 'loaded').length,
        katexFontsFailed: katexFonts.filter((f) => f.status === 'error').map((f) => `${f.family} ${f.weight} ${f.style}`),
        rawTex: (text.match(/.{0,30}(\$\$|\\\[|\\\(|\$\\[a-zA-Z]).{0,30}/) || [null])[0],
        media,
      };
    });

    // Let late loads (media, favicons) finish so that their failures are charged to this page.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    // Players show a clip's length before it is played: its metadata is preloaded.
    const players = await page.$$eval('main audio', (as) => as.map((a) => ({ src: a.currentSrc || a.src, duration: a.duration })));
    for (const a of players) {
      if (!(a.duration > 0)) fail(`${currentPage}: the player of ${rel(a.src)} shows no length until it is played (preload its metadata)`);
    }

    // Math: rendered, styled by the self-hosted CSS, with its fonts.
    if (info.rawTex) fail(`${currentPage}: raw TeX left in the text (KaTeX did not render it): "${info.rawTex.trim()}"`);
    for (const e of info.katexErrors) fail(`${currentPage}: KaTeX error: ${e}`);
    if (info.katex > 0) {
      mathBlocks += info.katex;
      if (!info.katexFontFamily.includes('KaTeX_Main')) {
        fail(`${currentPage}: KaTeX CSS not applied (font-family is "${info.katexFontFamily}"): is katex/katex.min.css linked?`);
      }
      if (info.katexFontsLoaded === 0) fail(`${currentPage}: math present but no KaTeX font loaded`);
      for (const f of info.katexFontsFailed) fail(`${currentPage}: KaTeX font failed to load: ${f}`);
      inlineMathUrl ??= url;
      if (!mathShot && info.display > 0) mathShot = await shootMath(page, outDir);
    }

    // Images: loaded and shipped inside the book.
    for (const img of info.images) {
      images++;
      if (!img.src) {
        fail(`${currentPage}: <img> without src`);
        continue;
      }
      if (img.src.startsWith('file:') && !bookFile(img.src)) fail(`${currentPage}: image outside the book: ${img.src}`);
      if (!(img.complete && img.w > 0)) fail(`${currentPage}: image did not load: ${rel(img.src)}`);
      if (img.right > info.columnRight + 0.5) {
        fail(`${currentPage}: ${rel(img.src)} reaches past the text column (${img.right.toFixed(0)} > ${info.columnRight.toFixed(0)} px)`);
      }
      const file = img.src.startsWith('file:') ? bookFile(img.src) : null;
      if (file && file.endsWith('.svg') && existsSync(file)) {
        const { width, minFont } = svgTextFacts(file);
        if (minFont !== null && width > 0) {
          const shown = (minFont * img.shownWidth) / width;
          if (shown < MIN_TEXT_PX - LAYOUT_SLACK) {
            fail(`${currentPage}: ${rel(img.src)}: smallest text shown at ${shown.toFixed(1)} px (font-size ${minFont} at ${img.shownWidth.toFixed(0)}/${width} px), below ${MIN_TEXT_PX} px`);
          }
        }
      } else if (file && /\.(png|gif)$/.test(file) && existsSync(file) && img.inFigure) {
        const px = rasterTextPx(file);
        if (px === undefined) {
          fail(`${currentPage}: ${rel(img.src)}: a raster figure without a record of its text size (bookkit writes "min-text-px"): its text cannot be checked`);
        } else if (px !== null && img.w > 0) {
          const shown = (px * img.shownWidth) / img.w;
          if (shown < MIN_TEXT_PX - LAYOUT_SLACK) {
            fail(`${currentPage}: ${rel(img.src)}: smallest text shown at ${shown.toFixed(1)} px (${px} px in the ${img.w}-px-wide file shown ${img.shownWidth.toFixed(0)} px wide), below ${MIN_TEXT_PX} px`);
          }
        }
      }
    }
    if (info.sideways > 1) fail(`${currentPage}: the page scrolls sideways by ${info.sideways} px`);
    for (const c of info.captions) {
      if (c.ends.includes('(')) fail(`${currentPage}: the caption of figure ${c.id} has a line that ends in "("`);
      for (const k of c.broken) fail(`${currentPage}: the caption of figure ${c.id} breaks the command "${k}" inside a word`);
    }
    if (info.figures > 0) figurePages.push(url);

    // Audio: every file it names is in the book.
    for (const a of info.media) {
      audios++;
      const srcs = [a.src, ...a.sources].filter(Boolean);
      if (srcs.length === 0) fail(`${currentPage}: <audio> without src or <source>`);
      for (const s of srcs) {
        if (s.startsWith('data:') || s.startsWith('blob:')) continue;
        const f = s.startsWith('file:') ? bookFile(s) : null;
        if (!f) fail(`${currentPage}: audio outside the book: ${s}`);
        else if (!existsSync(f) || !statSync(f).isFile() || statSync(f).size === 0) fail(`${currentPage}: audio file missing or empty: ${rel(s)}`);
      }
    }
  }
  currentPage = '(figure screenshots)';
  const shots = await shootFigures(browser, figurePages, join(outDir, 'figures'));
  currentPage = '(phone)';
  const phone = await phoneCheck(browser, urls, join(outDir, 'phone'));
  currentPage = '(dark themes)';
  const dark = await darkCheck(browser, urls, join(outDir, 'dark'));
  currentPage = '(end)';
  if (!mathShot && inlineMathUrl) {
    await page.goto(inlineMathUrl, { waitUntil: 'load' });
    mathShot = await shootMath(page, outDir);
  }

  if (mathBlocks === 0) fail('no page shows any rendered math: is the katex preprocessor enabled in book.toml?');
  if (external.length) fail(`${external.length} external request(s) (the book must read offline):\n    ${external.join('\n    ')}`);

  console.log(`    ${shots} figure screenshots (1× and 2×) in ${join(outDir, 'figures')}`);
  console.log(`    phone (390 px): ${phone.pages} pages, ${phone.opened} figures opened at full size; captures in ${join(outDir, 'phone')}`);
  console.log(`    dark themes (${THEMES_DARK.join(', ')}): ${dark.texts} text runs checked for contrast; captures in ${join(outDir, 'dark')}`);
  console.log(`    ${urls.length} pages visited, ${requests.length} requests, ${audios} audio players; screenshots in ${outDir}`);
  if (failures.size) {
    console.error(`\nbrowser check FAILED (${failures.size} problem(s)):`);
    for (const f of failures) console.error(`  - ${f}`);
    exitCode = 1;
  }
  console.log(`browser check: ${pages} pages, ${images} images, ${mathBlocks} math blocks, ${external.length} external requests`);
} catch (e) {
  console.error(`browser check FAILED: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
