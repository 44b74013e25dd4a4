#!/usr/bin/env node
// Headless-Chromium check of the live figures in the BUILT book (theme/live.js + listings/live).
//
//   node tests/browser/live.mjs <book-dir> <spectra-binary> <screenshot-dir>
//
// Opens the chapters from disk (file://) in Chromium (playwright-core; nothing is
// downloaded) and fails unless:
//   - the tide widget starts, and at three slider positions the f_max it shows is, digit for
//     digit, what `spectra fmax <photo> --steps 100` prints for the same photo and t;
//   - beside x_t it draws x̂₀, the Wiener estimate (listings/live: the book's wiener_denoise and
//     Gaussian model), labelled with t; it changes with the slider, and at t = 0, where every
//     Wiener gain is P/P = 1, it is the photo itself: the x_t picture to within one grey level;
//   - a photo uploaded through the file input is measured (its name and RAPSD appear, and its
//     f_max is again the command's);
//   - a bad file (not an image, a 1 × 1 image, a truncated JPEG, a header claiming 10^10 pixels)
//     gives a message in the widget, and the widget goes on working;
//   - the sound widget draws the mel-RAPSD of a chosen clip and of an uploaded WAV, and refuses a
//     bad file (not a WAV, a header claiming 1 Hz or 2^31 samples) with a message;
//   - without JavaScript, and with JavaScript but without WebAssembly, the widget's place shows
//     its fallback text (pointing to the static figure), not an empty box;
//   - no page makes a request outside the book (file:, data:, blob:, about: only), and there is
//     no JavaScript error and no console error;
//   - on the desktop the tide chart does not sit alone on a row with space left beside it; the
//     seed applies as it is typed; a refused file does not stay in the file input; the widgets'
//     text writes f_max, x_t and exponents as typeset text (no "f_max", "x_t", "^(" or Markdown
//     backticks); the sound widget paints its spectrogram in colour (magma), not grey;
//   - on a 390-px phone (deviceScaleFactor 3) each chart's canvas holds exactly its displayed
//     size times the device pixel ratio, keeps its aspect ratio, and its curves reach the right
//     edge of the plot (found from the canvas's own pixels: the frame's dark columns);
//   - a planted failure (a real panic inside the module, through the page's test hooks) makes the
//     tide widget say what went wrong, restart the module, and work again (f_max as the command
//     prints it).
// Screenshots of both widgets (desktop, phone, coal theme) go to <screenshot-dir>.

import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const CHROMIUM = findChromium();
const ALLOWED_SCHEMES = ['file:', 'data:', 'blob:', 'about:'];
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STEPS = 100;

function usage(msg) {
  console.error(`live check: ${msg}`);
  console.error('usage: node tests/browser/live.mjs <book-dir> <spectra-binary> <screenshot-dir>');
  process.exit(2);
}

const [bookArg, spectraArg, outArg] = process.argv.slice(2);
if (!bookArg || !spectraArg || !outArg) usage('missing argument');
const bookDir = resolve(bookArg);
for (const page of ['noisy-spectra.html', 'sound.html', 'live/live-wasm.js', 'live/live-assets.js']) {
  if (!existsSync(join(bookDir, page))) usage(`${join(bookDir, page)} is missing: build the book first (cargo xtask book)`);
}
if (!existsSync(spectraArg)) usage(`${spectraArg} not found (cargo build -p spectra-cli)`);
if (!CHROMIUM || !existsSync(CHROMIUM)) usage(`Chromium not found (apt-get install -y chromium, or set CHROMIUM=...)`);
const outDir = resolve(outArg);
mkdirSync(outDir, { recursive: true });

const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.error(`  FAIL ${msg}`);
};
const ok = (msg) => console.error(`  ok   ${msg}`);

/// `spectra fmax <photo> --steps 100` as a map from the row index i (t = i / 100) to f_max as printed.
function spectraFmax(photo) {
  const csv = execFileSync(spectraArg, ['fmax', photo, '--steps', String(STEPS)], { encoding: 'utf8' });
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  if (rows.length !== STEPS + 1) throw new Error(`spectra fmax printed ${rows.length} rows, not ${STEPS + 1}`);
  return rows;
}

// ---- Test files made here, from their definitions -------------------------------------------------

/// A grey 8-bit PNG of w × h pixels (a gradient), encoded from the PNG specification.
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = (x * 7 + y * 3) & 255;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/// A PNG whose header claims `w × h` pixels (checksum fixed): the few bytes of a decompression bomb.
function pngClaiming(w, h) {
  const b = png(16, 16);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
  return b;
}

/// One of the book's WAV files with its header's sample rate, or its data length, overwritten.
/// (The byte rate is kept consistent with the rate, the length a whole number of frames.)
function wavClaiming({ rate, length }) {
  const b = Buffer.from(readFileSync(join(REPO, 'data/audio/speech-02-danish.wav')));
  if (rate !== undefined) {
    b.writeUInt32LE(rate, 24);
    b.writeUInt32LE(rate * b.readUInt16LE(32), 28);
  }
  if (length !== undefined) b.writeUInt32LE(length, b.indexOf('data') + 4);
  return b;
}

// ---- The browser ----------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/// The static figures are the figure runner's output, checked by check.mjs; a book built without
/// them (mdbook build alone) still has working widgets, so a missing figure is only noted here.
const generatedUrl = pathToFileURL(join(bookDir, 'generated')).href + '/';
const isFigure = (url) => url.startsWith(generatedUrl);
const notedFigures = new Set();
function missingFigure(url) {
  if (notedFigures.size === 0) console.error('  note static figures are missing (run `cargo xtask figures`); check.mjs checks them');
  notedFigures.add(url);
}

/// A page that records every request, JavaScript error and console error.
async function openPage(context, file, label) {
  const page = await context.newPage();
  page.on('request', (r) => {
    let scheme = '?';
    try {
      scheme = new URL(r.url()).protocol;
    } catch {}
    if (!ALLOWED_SCHEMES.includes(scheme)) fail(`${label}: request outside the book: ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    if (isFigure(r.url())) return missingFigure(r.url());
    fail(`${label}: could not load ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('pageerror', (e) => fail(`${label}: JavaScript error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (isFigure(m.location()?.url ?? '')) return; // the failed load itself, noted above
    fail(`${label}: console error: ${m.text()}`);
  });
  await page.goto(pathToFileURL(join(bookDir, file)).href, { waitUntil: 'load' });
  return page;
}

/// Fraction of the chart canvas's pixels close to a colour (the curves' colours are the charts').
async function colourShare(page, selector, [r, g, b]) {
  return page.$eval(
    selector,
    (c, [r, g, b]) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40) n++;
      return n / (d.length / 4);
    },
    [r, g, b],
  );
}

const RED = [0xd6, 0x27, 0x28];

/// The grey levels (red channel) of a canvas and whether every pixel is opaque.
async function greys(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const g = [];
    let opaque = true;
    for (let i = 0; i < d.length; i += 4) {
      g.push(d[i]);
      if (d[i + 3] !== 255) opaque = false;
    }
    return { g, opaque, width: c.width, height: c.height };
  });
}

const spread = (g) => {
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  return Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
};

let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(60_000);

  // 1. The tide widget.
  const page = await openPage(context, 'noisy-spectra.html', 'noisy-spectra');
  const W = '.live-widget[data-live="tide"]';
  await page.waitForSelector(`${W} .live-readout[data-fmax]`);
  ok('the tide widget started (WebAssembly instantiated from the embedded bytes)');

  const readout = async () => page.$eval(`${W} .live-readout`, (e) => ({ fmax: e.dataset.fmax, t: Number(e.dataset.t), text: e.textContent }));
  /// Moves the slider to `step` and waits until the widget shows that t.
  const moveTo = async (step) => {
    await page.fill(`${W} .live-t`, String(step));
    await page.waitForFunction(
      ([sel, t]) => Number(document.querySelector(sel).dataset.t) === t,
      [`${W} .live-readout`, step / STEPS],
    );
    return readout();
  };
  const checkAgainstCli = async (photoPath, label, steps) => {
    const want = spectraFmax(photoPath);
    for (const step of steps) {
      const got = await moveTo(step);
      if (got.fmax !== want[step]) fail(`${label}, t = ${step / STEPS}: widget shows f_max = ${got.fmax}, spectra fmax prints ${want[step]}`);
      else ok(`${label}, t = ${(step / STEPS).toFixed(2)}: f_max = ${got.fmax}, as spectra fmax prints`);
      if (!got.text.includes(got.fmax)) fail(`${label}: the readout does not show the value: "${got.text}"`);
    }
  };

  const first = await page.$eval(`${W} .live-choice[aria-pressed="true"]`, (b) => b.dataset.name);
  await checkAgainstCli(join(REPO, 'data/images', first), first, [20, 63, 90]);
  if ((await colourShare(page, `${W} .live-chart`, RED)) < 0.002) fail('tide: the clean RAPSD (red) is not drawn');

  // x̂₀, the Wiener estimate, beside x_t: drawn for the slider's t, and following it.
  const E = `${W} .live-estimate`;
  /// Moves the slider and waits until the estimate shows that t (at once, or once the slider rests).
  const estimateAt = async (step) => {
    await moveTo(step);
    await page.waitForFunction(([sel, t]) => Number(document.querySelector(sel).dataset.t) === t, [E, step / STEPS]);
    const caption = await page.$eval(E, (c) => c.closest('figure').querySelector('figcaption').textContent);
    return { ...(await greys(page, E)), caption, url: await page.$eval(E, (c) => c.toDataURL()) };
  };
  const at90 = await estimateAt(90);
  const at20 = await estimateAt(20);
  for (const [t, e] of [['0.90', at90], ['0.20', at20]]) {
    if (e.width !== 320 || e.height !== 320 || !e.opaque || !(spread(e.g) > 5)) fail(`estimate at t = ${t}: not drawn (${e.width} × ${e.height}, opaque ${e.opaque}, spread ${spread(e.g).toFixed(1)})`);
    else if (e.caption !== `Wiener estimate x̂₀ at t = ${t}`) fail(`estimate at t = ${t}: caption "${e.caption}"`);
    else ok(`estimate at t = ${t}: drawn, labelled "${e.caption}", grey spread ${spread(e.g).toFixed(1)}`);
  }
  if (at90.url === at20.url) fail('estimate: the same picture at t = 0.9 and t = 0.2');
  else ok('estimate: changes with the slider');
  // Less is known at t = 0.9: the estimate is smoother, its grey levels less spread.
  if (!(spread(at90.g) < spread(at20.g))) fail(`estimate: no smoother at t = 0.9 (${spread(at90.g).toFixed(1)}) than at 0.2 (${spread(at20.g).toFixed(1)})`);
  const at0 = await estimateAt(0);
  const noisy0 = await greys(page, `${W} .live-image:not(.live-estimate)`);
  const worst = at0.g.reduce((m, g, i) => Math.max(m, Math.abs(g - noisy0.g[i])), 0);
  if (worst > 1) fail(`estimate at t = 0: differs from the photo by up to ${worst} grey levels`);
  else ok(`estimate at t = 0: the photo itself (largest difference ${worst} grey level${worst === 1 ? "" : "s"})`);
  await estimateAt(63);
  await page.$eval(W, (e) => e.scrollIntoView());
  await page.locator(W).screenshot({ path: join(outDir, 'live-tide.png') });

  // Another embedded photo, by its thumbnail.
  const second = page.locator(`${W} .live-choice`).nth(1);
  const secondName = await second.getAttribute('data-name');
  await second.click();
  await page.waitForFunction(([sel, n]) => document.querySelector(sel).textContent.includes(n), [`${W} .live-title`, secondName]);
  await checkAgainstCli(join(REPO, 'data/images', secondName), secondName, [40]);

  // A reader's own photo, through the file input.
  const own = join(REPO, 'data/images/cameraman.jpg');
  const before = await page.$eval(`${W} .live-chart`, (c) => c.toDataURL());
  await page.setInputFiles(`${W} .live-file`, own);
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('cameraman.jpg'), `${W} .live-title`);
  const after = await page.$eval(`${W} .live-chart`, (c) => c.toDataURL());
  if (after === before) fail('upload: the chart did not change for the uploaded photo');
  if ((await colourShare(page, `${W} .live-chart`, RED)) < 0.002) fail('upload: the uploaded photo\'s RAPSD (red) is not drawn');
  else ok('upload: the uploaded photo\'s RAPSD is drawn');
  await checkAgainstCli(own, 'uploaded cameraman.jpg', [55]);

  // Bad files: a message in the widget, and the widget still works.
  const coffee = readFileSync(join(REPO, 'data/images/coffee-cup.jpg'));
  const bad = [
    ['notes.txt', 'text/plain', Buffer.from('these are not pixels\n'), /text file/],
    ['dot.png', 'image/png', png(1, 1), /only 1×1 pixels/],
    ['cut.jpg', 'image/jpeg', coffee.subarray(0, coffee.length / 3), /truncated JPEG/],
    ['bomb.png', 'image/png', pngClaiming(100_000, 100_000), /header claims 100000×100000 pixels|too large to decode within the memory limit/],
  ];
  let step = 30;
  for (const [name, mimeType, buffer, expected] of bad) {
    await page.setInputFiles(`${W} .live-file`, { name, mimeType, buffer });
    await page.waitForSelector(`${W} .live-message.live-error`);
    const msg = await page.$eval(`${W} .live-message`, (e) => e.textContent);
    if (!expected.test(msg) || !msg.includes(name)) fail(`bad file ${name}: unclear message "${msg}"`);
    else ok(`bad file ${name}: "${msg}"`);
    if (name === 'bomb.png') await page.locator(W).screenshot({ path: join(outDir, 'live-tide-bad-file.png') });
    step += 7;
    const still = await moveTo(step); // times out if the widget stopped working
    const want = spectraFmax(own)[step];
    if (still.fmax !== want) fail(`after ${name}: f_max ${still.fmax}, want ${want} (the previous photo)`);
    await page.$eval(`${W} .live-message`, (e) => { e.textContent = ''; e.classList.remove('live-error'); });
  }

  // 2. The sound widget.
  const sound = await openPage(context, 'sound.html', 'sound');
  const S = '.live-widget[data-live="sound"]';
  await sound.waitForSelector(`${S} .live-readout[data-alpha]`);
  const alpha0 = await sound.$eval(`${S} .live-readout`, (e) => Number(e.dataset.alpha));
  if (!(alpha0 > 0.5 && alpha0 < 5)) fail(`sound: implausible exponent ${alpha0}`);
  else ok(`sound: the first clip's mel-RAPSD is drawn, alpha = ${alpha0}`);
  if ((await colourShare(sound, `${S} .live-chart`, RED)) < 0.002) fail('sound: the mel-RAPSD (red) is not drawn');
  await sound.setInputFiles(`${S} .live-file`, join(REPO, 'data/audio/speech-02-danish.wav'));
  await sound.waitForFunction((sel) => document.querySelector(sel).textContent.includes('speech-02-danish.wav'), `${S} .live-readout`);
  ok('sound: an uploaded WAV is measured');
  await sound.$eval(S, (e) => e.scrollIntoView());
  await sound.locator(S).screenshot({ path: join(outDir, 'live-sound.png') });
  await sound.setInputFiles(`${S} .live-file`, { name: 'song.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not really') });
  await sound.waitForSelector(`${S} .live-message.live-error`);
  const smsg = await sound.$eval(`${S} .live-message`, (e) => e.textContent);
  if (!/not a WAV file/.test(smsg)) fail(`sound: unclear message for a bad file: "${smsg}"`);
  else ok(`sound: bad file refused: "${smsg}"`);
  // Headers that would have the page allocate gigabytes (and the tab freeze): refused first.
  for (const [name, buffer, expected] of [
    ['one-hertz.wav', wavClaiming({ rate: 1 }), /sample rate of 1 Hz/],
    ['endless.wav', wavClaiming({ length: 0xfffffffc }), /header claims \d+ samples/],
  ]) {
    await sound.$eval(`${S} .live-message`, (e) => { e.textContent = ''; e.classList.remove('live-error'); });
    await sound.setInputFiles(`${S} .live-file`, { name, mimeType: 'audio/wav', buffer });
    await sound.waitForSelector(`${S} .live-message.live-error`);
    const m = await sound.$eval(`${S} .live-message`, (e) => e.textContent);
    if (!expected.test(m)) fail(`sound: unclear message for ${name}: "${m}"`);
    else ok(`sound: ${name} refused: "${m}"`);
  }
  await sound.locator(`${S} .live-choice`).nth(2).click();
  await sound.waitForFunction((sel) => !document.querySelector(sel).textContent.includes('danish'), `${S} .live-readout`);
  ok('sound: the widget still works after the bad file');

  // 4. Layout, notation and inputs on the desktop.
  {
    const p = await openPage(context, 'noisy-spectra.html', 'noisy-spectra (layout)');
    await p.waitForSelector(`${W} .live-readout[data-fmax]`);
    const layout = await p.$eval(W, (w) => {
      const chart = w.querySelector('.live-chart').getBoundingClientRect();
      const panels = w.querySelector('.live-panels').getBoundingClientRect();
      const pictures = [...w.querySelectorAll('.live-panels figure')].map((f) => f.getBoundingClientRect());
      const beside = pictures.some((r) => r.top < chart.bottom && r.bottom > chart.top);
      return { chart: chart.width, row: panels.width, beside };
    });
    const empty = layout.row - layout.chart;
    if (!layout.beside && empty > 100) fail(`tide layout: the chart sits alone on its row, ${empty.toFixed(0)} px of ${layout.row.toFixed(0)} px beside it empty`);
    else ok(`tide layout: the chart fills its row (${layout.chart.toFixed(0)} of ${layout.row.toFixed(0)} px) or sits beside the pictures`);
    // The seed applies as it is typed (an input event), without Enter or leaving the field.
    const before = await p.$eval(`${W} .live-chart`, (c) => c.toDataURL());
    await p.fill(`${W} .live-seed`, '7');
    const applied = await p
      .waitForFunction((sel) => document.querySelector(sel).textContent.includes('noise seed 7'), `${W} .live-title`, { timeout: 3_000 })
      .then(() => true, () => false);
    const after = await p.$eval(`${W} .live-chart`, (c) => c.toDataURL());
    if (!applied || after === before) fail('seed: typing a new seed does not redraw the widget with it');
    else ok('seed: a typed seed applies at once');
    // A refused file does not stay in the file input.
    await p.setInputFiles(`${W} .live-file`, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await p.waitForSelector(`${W} .live-message.live-error`);
    const left = await p.$eval(`${W} .live-file`, (i) => i.files.length);
    if (left !== 0) fail('refused file: the file input still holds the refused file');
    else ok('refused file: the file input is cleared');
    const notation = await p.$eval(W, (w) => w.textContent);
    const plain = notation.match(/f_max|x_t|\^\(|`/);
    if (plain) fail(`tide notation: the widget writes "${plain[0]}" as plain text`);
    else ok('tide notation: f_max and x_t are typeset');
    await p.close();

    const q = await openPage(context, 'sound.html', 'sound (notation, colours)');
    await q.waitForSelector(`${S} .live-readout[data-alpha]`);
    const text = await q.$eval(S, (w) => w.textContent);
    const raw = text.match(/f_max|\^\(|f\^|`/);
    if (raw) fail(`sound notation: the widget writes "${raw[0]}" as plain text`);
    else ok('sound notation: exponents are typeset');
    const colourful = await q.$eval(`${S} .live-mel`, (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 30) n++;
      return n / (d.length / 4);
    });
    if (colourful < 0.5) fail(`sound spectrogram: grey, not magma (${(100 * colourful).toFixed(0)} % of its pixels coloured)`);
    else ok(`sound spectrogram: magma (${(100 * colourful).toFixed(0)} % of its pixels coloured)`);
    await q.setInputFiles(`${S} .live-file`, { name: 'song.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not really') });
    await q.waitForSelector(`${S} .live-message.live-error`);
    const msg = await q.$eval(`${S} .live-message`, (m) => ({ text: m.textContent, code: m.querySelectorAll('code').length }));
    if (msg.text.includes('`')) fail(`sound message: Markdown backticks shown: "${msg.text}"`);
    else ok(`sound message: no Markdown backticks ("${msg.text}")`);
    await q.close();
  }

  // 5. On a phone: charts sized to what is shown, curves reaching the right edge.
  {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(60_000);
    for (const [file, sel, label] of [
      ['noisy-spectra.html', W, 'tide'],
      ['sound.html', S, 'sound'],
    ]) {
      const p = await openPage(phone, file, `${label} on a phone`);
      await p.waitForSelector(`${sel} .live-readout${label === 'tide' ? '[data-fmax]' : '[data-alpha]'}`);
      await p.waitForTimeout(300); // a resize redraw, if any, lands
      const c = await p.$eval(`${sel} .live-chart`, (canvas) => {
        const r = canvas.getBoundingClientRect();
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const [w, h] = [canvas.width, canvas.height];
        const dark = (i) => d[i] < 80 && d[i + 1] < 80 && d[i + 2] < 80;
        // The frame's vertical sides: columns dark over more than half the canvas's height.
        const columns = [];
        for (let x = 0; x < w; x++) {
          let n = 0;
          for (let y = 0; y < h; y++) if (dark((y * w + x) * 4)) n++;
          if (n > h / 2) columns.push(x);
        }
        const [left, right] = [Math.min(...columns), Math.max(...columns)];
        const curve = (i) => (d[i] > 150 && d[i + 1] < 90 && d[i + 2] < 90) || (d[i] < 90 && d[i + 1] > 120 && d[i + 2] < 90);
        let reach = -1;
        for (let x = left + 2; x < right - 1; x++) {
          for (let y = 0; y < h; y++) if (curve((y * w + x) * 4)) { reach = x; break; }
        }
        return { shown: [r.width, r.height], pixels: [w, h], dpr: window.devicePixelRatio, left, right, reach };
      });
      const [sw, sh] = c.shown;
      const [pw, ph] = c.pixels;
      if (Math.abs(pw - Math.round(sw * c.dpr)) > 1 || Math.abs(ph - Math.round(sh * c.dpr)) > 1) {
        fail(`${label} chart on a phone: ${pw} × ${ph} pixels shown at ${sw.toFixed(0)} × ${sh.toFixed(0)} CSS px (ratio ${c.dpr}): drawn at another size than shown`);
      } else ok(`${label} chart on a phone: ${pw} × ${ph} pixels for ${sw.toFixed(0)} × ${sh.toFixed(0)} CSS px at ratio ${c.dpr}`);
      const share = (c.reach - c.left) / (c.right - c.left);
      if (!(c.right > c.left) || !(share > 0.9)) fail(`${label} chart on a phone: the curves stop at ${(100 * share).toFixed(0)} % of the plot's width`);
      else ok(`${label} chart on a phone: the curves reach ${(100 * share).toFixed(0)} % of the plot's width`);
      // The document, or mdBook's scrolling content box.
      const boxes = () => [document.scrollingElement, document.getElementById('mdbook-content')].filter(Boolean);
      const sideways = await p.evaluate(`Math.max(...(${boxes})().map((b) => b.scrollWidth - b.clientWidth))`);
      if (sideways > 1) fail(`${label} on a phone: the page scrolls sideways by ${sideways} px`);
      await p.$eval(sel, (e) => e.scrollIntoView());
      await p.locator(sel).screenshot({ path: join(outDir, `live-${label}-phone.png`) });
      await p.close();
    }
    await phone.close();
  }

  // 6. A failure inside the module: said, recovered from.
  {
    const hooked = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    hooked.setDefaultTimeout(60_000);
    await hooked.addInitScript(() => {
      window.LIVE_TEST_HOOKS = true;
    });
    const p = await openPage(hooked, 'noisy-spectra.html', 'noisy-spectra (planted panic)');
    await p.waitForSelector(`${W} .live-readout[data-fmax]`);
    const photo = await p.$eval(`${W} .live-choice[aria-pressed="true"]`, (b) => b.dataset.name);
    const hooks = await p.$eval(W, (w) => typeof w.liveTest?.plantPanic === 'function');
    if (!hooks) {
      fail('planted panic: the page offers no test hook to plant a failure');
    } else {
      await p.$eval(W, (w) => w.liveTest.plantPanic());
      const said = await p
        .waitForFunction((sel) => /before reading a frame/.test(document.querySelector(sel)?.textContent ?? ''), `${W} .live-message.live-error`, { timeout: 10_000 })
        .then(() => true, () => false);
      const message = await p.$eval(`${W} .live-message`, (m) => m.textContent);
      if (!said) fail(`planted panic: the widget does not say what went wrong ("${message}")`);
      else ok(`planted panic: "${message}"`);
      const back = await p
        .waitForFunction((sel) => Number(document.querySelector(sel).dataset.restarts || 0) >= 1, W, { timeout: 20_000 })
        .then(() => true, () => false);
      if (!back) fail('planted panic: the widget did not restart');
      const want = spectraFmax(join(REPO, 'data/images', photo));
      await p.fill(`${W} .live-t`, '45');
      const works = await p
        .waitForFunction((sel) => Number(document.querySelector(sel).dataset.t) === 0.45, `${W} .live-readout`, { timeout: 10_000 })
        .then(() => true, () => false);
      const got = await p.$eval(`${W} .live-readout`, (e) => e.dataset.fmax);
      if (!works || got !== want[45]) fail(`planted panic: after the restart the widget shows f_max ${got} at t = 0.45, spectra fmax prints ${want[45]}`);
      else ok(`planted panic: the widget works again (f_max ${got} at t = 0.45, as spectra fmax prints)`);
      await p.$eval(W, (e) => e.scrollIntoView());
      await p.locator(W).screenshot({ path: join(outDir, 'live-tide-recovered.png') });
    }
    await hooked.close();
  }

  // 7. The coal theme (captures for review).
  {
    const dark = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await dark.addInitScript(() => localStorage.setItem('mdbook-theme', 'coal'));
    for (const [file, sel, label] of [
      ['noisy-spectra.html', W, 'tide'],
      ['sound.html', S, 'sound'],
    ]) {
      const p = await openPage(dark, file, `${label} in coal`);
      await p.waitForSelector(`${sel} .live-readout${label === 'tide' ? '[data-fmax]' : '[data-alpha]'}`);
      await p.$eval(sel, (e) => e.scrollIntoView());
      await p.locator(sel).screenshot({ path: join(outDir, `live-${label}-coal.png`) });
      await p.close();
    }
    await dark.close();
  }

  // 3. Without JavaScript, and without WebAssembly: the fallback, never an empty box.
  for (const [label, options, init] of [
    ['without JavaScript', { javaScriptEnabled: false }, null],
    ['without WebAssembly', {}, () => { delete window.WebAssembly; }],
  ]) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, ...options });
    if (init) await ctx.addInitScript(init);
    const p = await openPage(ctx, 'noisy-spectra.html', `noisy-spectra ${label}`);
    await p.waitForTimeout(500);
    const state = await p.$eval(W, (e) => ({
      ready: e.classList.contains('live-ready'),
      fallback: e.querySelector('.live-fallback')?.innerText ?? '',
      visible: e.querySelector('.live-fallback')?.getBoundingClientRect().height > 0,
    }));
    if (state.ready || !state.visible || !/F10/.test(state.fallback)) fail(`${label}: the widget's place does not show its fallback (${JSON.stringify(state)})`);
    else ok(`${label}: the fallback points to the static figure`);
    if (label === 'without JavaScript') {
      await p.$eval(W, (e) => e.scrollIntoView({ block: 'center' }));
      await p.screenshot({ path: join(outDir, 'live-tide-no-js.png') });
    }
    await ctx.close();
  }
  await context.close();
} catch (e) {
  fail(`the check itself failed: ${e.stack || e}`);
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`\nlive figures: ${failures.length} problem(s)`);
  exitCode = 1;
} else {
  console.error(`\nlive figures: all checks passed; screenshots in ${outDir}`);
}
process.exit(exitCode);
