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
//   - an <audio> (or its <source>) points to a file that does not exist in the book;
//   - a figure is wider than the column (the page scrolls sideways, or an image's right edge
//     passes the text column's), or, for an SVG figure, its smallest text shown smaller than
//     MIN_TEXT_PX CSS px (the SVG's smallest font-size times the displayed / intrinsic width).
// Every <figure> is also captured at device pixel ratio 1 and 2 into <screenshot-dir>/figures/
// (<page>-<n>-1x.png, -2x.png) for review by eye.
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

/// The smallest font-size and the intrinsic width of an SVG file (the figures write both as
/// plain attributes: `width="720"` on the root, `font-size="11"` on each <text>).
function svgTextFacts(file) {
  const svg = readFileSync(file, 'utf8');
  const width = Number((svg.match(/<svg[^>]*\swidth="([\d.]+)"/) || [])[1]);
  const sizes = [...svg.matchAll(/<text[^>]*\sfont-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  return { width, minFont: sizes.length ? Math.min(...sizes) : null };
}

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
          shownWidth: i.getBoundingClientRect().width,
          right: i.getBoundingClientRect().right,
        })),
        columnRight: main.getBoundingClientRect().right,
        sideways: document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth,
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
          if (shown < MIN_TEXT_PX - 1e-6) {
            fail(`${currentPage}: ${rel(img.src)}: smallest text shown at ${shown.toFixed(1)} px (font-size ${minFont} at ${img.shownWidth.toFixed(0)}/${width} px), below ${MIN_TEXT_PX} px`);
          }
        }
      }
    }
    if (info.sideways > 0) fail(`${currentPage}: the page scrolls sideways by ${info.sideways} px`);
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
  currentPage = '(end)';
  if (!mathShot && inlineMathUrl) {
    await page.goto(inlineMathUrl, { waitUntil: 'load' });
    mathShot = await shootMath(page, outDir);
  }

  if (mathBlocks === 0) fail('no page shows any rendered math: is the katex preprocessor enabled in book.toml?');
  if (external.length) fail(`${external.length} external request(s) (the book must read offline):\n    ${external.join('\n    ')}`);

  console.log(`    ${shots} figure screenshots (1× and 2×) in ${join(outDir, 'figures')}`);
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
