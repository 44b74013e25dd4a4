#!/usr/bin/env node
// Benchmark of the tide widget: full slider steps per second in headless Chromium (compute in
// WebAssembly + redraw of the image and the chart), against the same step natively.
//
//   node tests/browser/live-bench.mjs <book-dir> [native-bench-binary] [steps]
//
// The native side is listings/live/examples/bench_step.rs (build it with
// `cargo build --release -p live --example bench_step`; the binary is
// target/release/examples/bench_step). Prints one JSON line:
//   {"chromium_updates_per_s": …, "native_updates_per_s": …, "ratio": …, "frame_budget_ms": 16.7, "chromium_ms_per_update": …}
// A measurement, not a test: it never fails on speed (STYLE.md: speed lives in the benchmark).

import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = findChromium();
const [bookArg, nativeArg, stepsArg] = process.argv.slice(2);
if (!bookArg) {
  console.error('usage: node tests/browser/live-bench.mjs <book-dir> [native-bench-binary] [steps]');
  process.exit(2);
}
const steps = Number(stepsArg || 300);
const page = join(resolve(bookArg), 'noisy-spectra.html');
if (!existsSync(page)) {
  console.error(`${page} does not exist: build the book first (cargo xtask book)`);
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let result;
try {
  const p = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await p.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  const W = '.live-widget[data-live="tide"]';
  await p.waitForSelector(`${W} .live-readout[data-fmax]`, { timeout: 60_000 });
  await p.$eval(W, (w) => w.liveBench(20)); // warm-up: the JIT tiers up
  const ms = await p.$eval(W, (w, n) => w.liveBench(n), steps);
  result = { chromium_updates_per_s: Number((1000 / ms).toFixed(1)), chromium_ms_per_update: Number(ms.toFixed(2)), frame_budget_ms: 16.7 };
} finally {
  await browser.close();
}
if (nativeArg) {
  const native = JSON.parse(execFileSync(nativeArg, [String(steps)], { encoding: 'utf8' }).trim());
  result.native_updates_per_s = native.native_updates_per_s;
  result.ratio = Number((native.native_updates_per_s / result.chromium_updates_per_s).toFixed(2));
}
console.log(JSON.stringify(result));
