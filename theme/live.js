// Live figures: the book's spectral core, compiled to WebAssembly, in the page.
//
// Loaded on every page (book.toml: additional-js) but does nothing unless the page holds a
// <div class="live-widget" data-live="tide|sound">. Such a div starts with a static fallback (a
// pointer to the static figure), which stays as it is when JavaScript or WebAssembly is missing.
//
// Why classic scripts and base64: a book opened from disk (file://) may not fetch() a .wasm file
// nor import an ES module, but it may load a classic <script src>. `cargo xtask book` writes
//   live/live-wasm.js    wasm-bindgen's `--target no-modules` glue, wrapped in a factory
//                        (`window.liveWasmGlue`), and the module's bytes (base64)
//   live/live-assets.js  the embedded photos and recordings the widgets offer (base64), and the
//                        book's Gaussian model of the photos for the tide widget's x̂₀
// under src/ (git-ignored), and this script instantiates the module from the decoded bytes.
// Nothing leaves the machine: no fetch, no CDN.
//
// When the module fails: a Rust panic aborts the WebAssembly instance (a trap, which JavaScript
// sees only as "unreachable"). The module's panic hook hands the panic's message to
// `window.liveFigures.panicked` first; every call into the module goes through `guard`, which
// on a trap shows the reader that message, instantiates the module afresh (the factory gives a
// new glue, so no state of the dead instance survives) and re-creates each widget from its last
// good input.
//
// All computation is in Rust (listings/live, calling listings/spectral); this file only draws.
// The colours are the static charts' (bookkit::plot RED, BLUE, GREEN, BLACK) and the
// spectrogram's colormap is the static figures' magma (bookkit::colormap::MAGMA): a native test
// in listings/live checks both.
(function () {
  'use strict';

  const COLOURS = { red: '#d62728', blue: '#1f77b4', green: '#2ca02c', black: '#000000', grey: '#7f7f7f' };
  // bookkit::colormap::MAGMA's anchors, interpolated linearly as Colormap::at does.
  const MAGMA = [
    [0x00, 0x00, 0x04], [0x18, 0x0f, 0x3d], [0x44, 0x0f, 0x76], [0x72, 0x1f, 0x81], [0x9e, 0x2f, 0x7f],
    [0xcd, 0x40, 0x71], [0xf1, 0x60, 0x5d], [0xfd, 0x96, 0x68], [0xfe, 0xca, 0x8d], [0xfc, 0xfd, 0xbf],
  ];
  const LINE_WIDTH = 1.75;
  const FAMILY = '"DejaVu Sans", "Open Sans", sans-serif';
  // Text sizes in CSS px, as in the static charts: axis labels 13, ticks and legend 11 or more.
  const LABEL_PX = 13, TICK_PX = 11, LEGEND_PX = 12, SCRIPT_PX = 11;
  const STEPS = 100; // the slider's t = step / 100, the grid of `spectra fmax` (its default --steps)
  // Files larger than this are refused before they are read into memory: a photo or a 2 s
  // excerpt never needs more, and a mistaken choice (a video) would stall the page.
  const MAX_FILE_BYTES = 50 * 1024 * 1024;
  // The Wiener estimate x̂₀ costs about as much again as a slider step (two FFTs more). It is
  // computed with each step while the two, as last measured, fit in a 60 Hz frame; on a slower
  // machine it waits until the slider has rested ESTIMATE_DELAY_MS, and the previous estimate is
  // shown faded meanwhile.
  const FRAME_MS = 1000 / 60;
  const ESTIMATE_DELAY_MS = 120;
  // The benchmark and the browser test drive the widgets through hooks that the page installs
  // only when the test asks for them before the page loads (tests/browser/live*.mjs).
  const TEST_HOOKS = window.LIVE_TEST_HOOKS === true;

  const here = document.currentScript && document.currentScript.src;
  // This script sits at the book's root + "theme/live-<hash>.js" (mdBook adds a content hash).
  const bookRoot = here ? here.replace(/theme\/live[^/]*\.js(\?.*)?$/, '') : (window.path_to_root || '');

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src} (was the book built with cargo xtask book?)`));
      document.head.appendChild(s);
    });
  }

  function decodeBase64(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  function errorText(e) {
    return (e && e.message) || String(e);
  }

  /// A message for the page: `code` in backticks (as the Rust side writes file names and
  /// commands) becomes <code>, the rest stays text.
  function messageNodes(text) {
    return text.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : document.createTextNode(part)));
  }

  // ---- The module: instantiated once, again after a trap ------------------------------------------

  let lastPanic = null;
  // The module's panic hook (listings/live/src/lib.rs) calls this before the instance aborts.
  window.liveFigures = Object.assign(window.liveFigures || {}, {
    panicked(message) {
      lastPanic = String(message);
    },
  });

  let scripts = null;
  let compiled = null;
  /// The glue and the assets, loaded once per page; the module compiled once.
  function loadOnce() {
    if (!scripts) {
      scripts = Promise.all([loadScript(bookRoot + 'live/live-wasm.js'), loadScript(bookRoot + 'live/live-assets.js')]).then(() =>
        WebAssembly.compile(decodeBase64(window.LIVE_WASM_BASE64)).then((m) => (compiled = m)),
      );
    }
    return scripts;
  }

  /// A fresh instance of the module with a fresh glue (wasm-bindgen's JavaScript side).
  async function instantiate() {
    await loadOnce();
    const glue = window.liveWasmGlue();
    await glue({ module_or_path: compiled });
    return glue;
  }

  let wasm = null;
  const widgets = [];
  let restarting = null;

  /// "panicked at listings/live/src/lib.rs:150:14:\nmessage" → "message (listings/live/src/lib.rs:150)".
  function panicText(p) {
    const m = p.match(/^panicked at ([^:\n]+:\d+)(?::\d+)?:\s*([\s\S]*)$/);
    return m ? `${m[2].trim()} (${m[1]})` : p.trim();
  }

  /// Runs `fn` (which calls into the module) for `widget`. A trap kills the instance: the reader is
  /// told why, the module is instantiated again and every widget re-created from its last good
  /// input; `guard` then returns `undefined`. Errors the module returns (a reader's bad file)
  /// are JavaScript errors, not traps, and reach the caller.
  function guard(widget, fn) {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      const why = lastPanic ? panicText(lastPanic) : errorText(e);
      lastPanic = null;
      for (const w of widgets) w.lost(w === widget ? why : null);
      restart();
      return undefined;
    }
  }

  function restart() {
    if (restarting) return restarting;
    restarting = instantiate().then(
      (glue) => {
        wasm = glue;
        restarting = null;
        for (const w of widgets) w.restart();
      },
      (e) => {
        restarting = null;
        for (const w of widgets) w.show(`The live figure could not restart: ${errorText(e)}. Reload the page to try again.`, true);
      },
    );
    return restarting;
  }

  // ---- Charts: log-log axes in the static figures' style, sized to the canvas as shown -----------

  const SUPERSCRIPT = { '-': '\u207b', 0: '\u2070', 1: '\u00b9', 2: '\u00b2', 3: '\u00b3', 4: '\u2074', 5: '\u2075', 6: '\u2076', 7: '\u2077', 8: '\u2078', 9: '\u2079' };
  const power10 = (n) => '10' + String(n).split('').map((c) => SUPERSCRIPT[c]).join('');
  const font = (px) => `${px}px ${FAMILY}`;

  /// A canvas drawn at the size the page shows it (CSS px) and the screen's density, so its text
  /// is exactly the size it says and it is sharp on HiDPI screens. Returns the context, with one
  /// unit = one CSS px, and the size in CSS px.
  function fitCanvas(canvas) {
    const w = canvas.clientWidth || 440;
    const h = canvas.clientHeight || Math.round((w * 2) / 3);
    const r = window.devicePixelRatio || 1;
    const [dw, dh] = [Math.round(w * r), Math.round(h * r)];
    if (canvas.width !== dw || canvas.height !== dh) {
      canvas.width = dw;
      canvas.height = dh;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dw / w, 0, 0, dh / h, 0, 0);
    return { ctx, w, h };
  }

  /// Text with sub- and superscripts: `f_{max}`, `f^{−α}`. Returns its width; draws it when
  /// `at` is given, anchored left, centre or right at `at.x` on the baseline `at.y`.
  function richText(ctx, text, px, at, align = 'left') {
    const parts = [];
    const re = /([_^])\{([^}]*)\}/g;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index > last) parts.push({ s: text.slice(last, m.index), size: px, dy: 0 });
      const size = Math.max(SCRIPT_PX, Math.round(px * 0.8));
      parts.push({ s: m[2], size, dy: m[1] === '_' ? 0.25 * px : -0.4 * px });
      last = re.lastIndex;
    }
    if (last < text.length) parts.push({ s: text.slice(last), size: px, dy: 0 });
    const widths = parts.map((p) => {
      ctx.font = font(p.size);
      return ctx.measureText(p.s).width;
    });
    const total = widths.reduce((a, b) => a + b, 0);
    if (at) {
      let x = align === 'left' ? at.x : align === 'right' ? at.x - total : at.x - total / 2;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      parts.forEach((p, i) => {
        ctx.font = font(p.size);
        ctx.fillText(p.s, x, at.y + p.dy);
        x += widths[i];
      });
    }
    return total;
  }

  /// Log-log axes filling a `w × h` canvas: white page, frame, ticks, labels. Returns the data →
  /// canvas mapping and the plot area in canvas coordinates (CSS px), which is also written to
  /// `canvas.dataset.plot` ("left,top,right,bottom") for the browser test.
  function logAxes(ctx, w, h, [x0, x1], [y0, y1], xLabel, yLabel, reserve = 0) {
    // `reserve`: room kept free under the axes (a legend below the chart).
    const m = { left: 58, right: 16, top: 12, bottom: 46 + reserve };
    const plot = { left: m.left, top: m.top, right: w - m.right, bottom: h - m.bottom };
    const lx0 = Math.log10(x0), lx1 = Math.log10(x1), ly0 = Math.log10(y0), ly1 = Math.log10(y1);
    const px = (x) => plot.left + ((Math.log10(x) - lx0) / (lx1 - lx0)) * (plot.right - plot.left);
    const py = (y) => plot.bottom - ((Math.log10(y) - ly0) / (ly1 - ly0)) * (plot.bottom - plot.top);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = COLOURS.black;
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.right - plot.left, plot.bottom - plot.top);
    ctx.fillStyle = COLOURS.black;
    ctx.font = font(TICK_PX);
    const decades = (lo, hi) => Math.ceil(hi) - Math.floor(lo);
    // Label every decade, or every second or third one when they would crowd (a narrow chart).
    const every = (lo, hi, room, label) => {
      const n = decades(lo, hi);
      for (const k of [1, 2, 3, 4]) if ((n / k) * label <= room) return k;
      return 5;
    };
    const ticks = (lo, hi, step, along) => {
      for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
        for (let k = 1; k < 10; k++) {
          const v = Math.log10(k * Math.pow(10, d));
          if (v < lo - 1e-9 || v > hi + 1e-9) continue;
          along(Math.pow(10, v), k === 1 ? d : null, k === 1 && ((d % step) + step) % step === 0);
        }
      }
    };
    ctx.beginPath();
    const xEvery = every(lx0, lx1, plot.right - plot.left, 40);
    ticks(lx0, lx1, xEvery, (v, d, labelled) => {
      const x = Math.round(px(v)) + 0.5, len = d === null ? 3 : 6;
      ctx.moveTo(x, plot.bottom);
      ctx.lineTo(x, plot.bottom - len);
      if (labelled) {
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        ctx.fillText(power10(d), x, plot.bottom + 4);
      }
    });
    const yEvery = every(ly0, ly1, plot.bottom - plot.top, 18);
    ticks(ly0, ly1, yEvery, (v, d, labelled) => {
      const y = Math.round(py(v)) + 0.5, len = d === null ? 3 : 6;
      ctx.moveTo(plot.left, y);
      ctx.lineTo(plot.left + len, y);
      if (labelled) {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'middle';
        ctx.fillText(power10(d), plot.left - 4, y);
      }
    });
    ctx.stroke();
    ctx.font = font(LABEL_PX);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xLabel, (plot.left + plot.right) / 2, h - 5 - reserve, w - 8);
    ctx.save();
    ctx.translate(15, (plot.top + plot.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
    ctx.canvas.dataset.plot = [plot.left, plot.top, plot.right, plot.bottom].map((v) => v.toFixed(1)).join(',');
    return { px, py, plot, points: [] };
  }

  /// A curve as a line with dots (the static figures' `Style::LineDots`), clipped to the plot
  /// area in the canvas's own coordinates. Its points are kept for the legend's placement.
  function curve(ctx, ax, xs, ys, colour, { dots = true, dash = null } = {}) {
    const { plot } = ax;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    ctx.clip();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = LINE_WIDTH;
    ctx.setLineDash(dash || []);
    ctx.beginPath();
    let pen = false;
    const pts = [];
    for (let i = 0; i < xs.length; i++) {
      if (!(ys[i] > 0) || !isFinite(ys[i])) {
        pen = false;
        continue;
      }
      const x = ax.px(xs[i]), y = ax.py(ys[i]);
      pts.push([x, y]);
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (dots && xs.length <= 200) {
      for (const [x, y] of pts) {
        ctx.beginPath();
        ctx.arc(x, y, 1.6, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
    ax.points.push(...pts);
  }

  /// A dashed vertical marker at x, labelled at its foot (f_max).
  function marker(ctx, ax, x, label) {
    const { plot } = ax;
    const cx = ax.px(x);
    ctx.save();
    ctx.strokeStyle = COLOURS.black;
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    ctx.moveTo(cx, plot.top);
    ctx.lineTo(cx, plot.bottom);
    ctx.stroke();
    ctx.restore();
    for (let y = plot.top; y <= plot.bottom; y += 4) ax.points.push([cx, y]);
    ctx.fillStyle = COLOURS.black;
    const right = cx > (plot.left + plot.right) / 2;
    richText(ctx, label, LEGEND_PX, { x: cx + (right ? -4 : 4), y: plot.bottom - 5 }, right ? 'right' : 'left');
  }

  const LEGEND_LINE = LEGEND_PX + 7;
  const entryWidth = (ctx, entries) => Math.max(...entries.map(([t]) => richText(ctx, t, LEGEND_PX))) + 40;

  /// A chart narrower than this has no room for its legend inside the plot: the legend goes
  /// below the axes, and the chart is made taller for it.
  const NARROW = 440;
  /// Columns and height of a legend below a `w`-wide chart.
  function legendBelow(ctx, w, entries) {
    const cols = Math.max(1, Math.min(2, Math.floor((w - 16) / entryWidth(ctx, entries))));
    return { cols, height: Math.ceil(entries.length / cols) * LEGEND_LINE + 8 };
  }

  /// The entries' samples and labels, `cols` to a row, from (x, y).
  function legendEntries(ctx, entries, x, y, cols, colW) {
    entries.forEach(([text, colour, dash], i) => {
      const ex = x + (i % cols) * colW;
      const cy = y + 4 + LEGEND_LINE * Math.floor(i / cols) + LEGEND_LINE / 2;
      ctx.strokeStyle = colour;
      ctx.lineWidth = LINE_WIDTH;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      ctx.moveTo(ex + 6, cy);
      ctx.lineTo(ex + 30, cy);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLOURS.black;
      richText(ctx, text, LEGEND_PX, { x: ex + 36, y: cy + LEGEND_PX * 0.36 });
    });
  }

  /// A chart's frame for `canvas`: the canvas made taller on a narrow screen to hold its legend
  /// below the axes, then sized to what is shown. Returns the context, the size and the room
  /// kept for the legend (0 when it goes inside the plot).
  function chartFrame(canvas, entries) {
    const narrow = canvas.clientWidth < NARROW;
    canvas.style.aspectRatio = narrow ? '1 / 1' : '';
    const { ctx, w, h } = fitCanvas(canvas);
    return { ctx, w, h, reserve: narrow ? legendBelow(ctx, w, entries).height : 0 };
  }

  /// The legend: below the axes when the chart kept room for it there, else in whichever corner
  /// of the plot covers the fewest drawn points.
  function legend(ctx, ax, entries, reserve = 0) {
    if (reserve > 0) {
      const { w, h } = { w: ctx.canvas.clientWidth, h: ctx.canvas.clientHeight };
      const { cols } = legendBelow(ctx, w, entries);
      legendEntries(ctx, entries, 8, h - reserve, cols, (w - 16) / cols);
      return;
    }
    const { plot } = ax;
    const lineH = LEGEND_LINE;
    const width = entryWidth(ctx, entries);
    const height = entries.length * lineH + 8;
    const inset = 6;
    const corners = [
      [plot.right - inset - width, plot.top + inset],
      [plot.left + inset, plot.top + inset],
      [plot.right - inset - width, plot.bottom - inset - height],
      [plot.left + inset, plot.bottom - inset - height],
    ];
    const covered = ([x, y]) => ax.points.filter(([px, py]) => px >= x - 3 && px <= x + width + 3 && py >= y - 3 && py <= y + height + 3).length;
    let best = corners[0], least = Infinity;
    for (const c of corners) {
      const n = covered(c);
      if (n < least) [best, least] = [c, n];
    }
    const [x, y] = best;
    ctx.fillStyle = 'rgba(255,255,255,0.9)';
    ctx.fillRect(x, y, width, height);
    ctx.strokeStyle = '#cccccc';
    ctx.lineWidth = 0.8;
    ctx.strokeRect(x + 0.5, y + 0.5, width, height);
    legendEntries(ctx, entries, x, y, 1, width);
  }

  /// Redraws `draw` whenever the canvas changes size (a turned phone, a resized window).
  function redrawOnResize(canvas, draw) {
    if (typeof ResizeObserver !== 'function') return;
    let last = canvas.clientWidth, pending = false;
    new ResizeObserver(() => {
      if (canvas.clientWidth === last || pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        last = canvas.clientWidth;
        draw();
      });
    }).observe(canvas);
  }

  function putGrey(canvas, rgba, n) {
    canvas.width = n;
    canvas.height = n;
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), n, n), 0, 0);
  }

  /// The magma colour at t ∈ [0, 1], as bookkit::colormap::Colormap::at.
  function magma(t) {
    const x = Math.min(Math.max(t, 0), 1) * (MAGMA.length - 1);
    const i = Math.min(Math.floor(x), MAGMA.length - 2);
    const f = x - i;
    return [0, 1, 2].map((c) => Math.round(MAGMA[i][c] * (1 - f) + MAGMA[i + 1][c] * f));
  }

  // ---- Shared pieces of a widget -------------------------------------------------------------------

  /// The message line of a widget and its `show(text, isError)`.
  function messageLine() {
    const message = el('p', { class: 'live-message', role: 'status', 'aria-live': 'polite' });
    const show = (text, isError) => {
      message.replaceChildren(...messageNodes(text));
      message.classList.toggle('live-error', !!isError);
    };
    return { message, show };
  }

  /// A row of choices (embedded items) plus a file input and a drop zone for the reader's own.
  /// `onBytes(bytes, name)` returns whether the widget took the file; a refused file is cleared
  /// from the file input, so it does not go on showing a name the widget does not show.
  function chooser(items, accept, label, kind, onBytes, onRefused, thumb) {
    const row = el('div', { class: 'live-choices', role: 'group', 'aria-label': label });
    const buttons = items.map((item) => {
      const b = el('button', { type: 'button', class: 'live-choice', title: item.name, 'data-name': item.name }, thumb(item));
      b.addEventListener('click', () => {
        if (onBytes(decodeBase64(item.base64), item.name)) {
          buttons.forEach((o) => o.setAttribute('aria-pressed', String(o === b)));
          input.value = '';
        }
      });
      return b;
    });
    row.append(...buttons);
    const input = el('input', { type: 'file', accept, class: 'live-file', 'aria-label': label });
    const drop = el('label', { class: 'live-drop' }, input, el('span', {}, `or drop / pick your own ${kind}`));
    const refuse = (text) => {
      input.value = '';
      onRefused(text);
    };
    const readFile = (file) => {
      if (!file) return;
      if (file.size > MAX_FILE_BYTES) {
        const mb = (n) => (n / (1024 * 1024)).toFixed(0);
        return refuse(`${file.name}: ${mb(file.size)} MB is more than the widget reads (${mb(MAX_FILE_BYTES)} MB at most)`);
      }
      file.arrayBuffer().then(
        (buf) => {
          if (onBytes(new Uint8Array(buf), file.name)) buttons.forEach((o) => o.setAttribute('aria-pressed', 'false'));
          else input.value = '';
        },
        (e) => refuse(`${file.name}: could not read the file (${errorText(e)})`),
      );
    };
    input.addEventListener('change', () => readFile(input.files[0]));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('live-over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('live-over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('live-over');
      readFile(e.dataTransfer.files[0]);
    });
    row.append(drop);
    return { row, buttons, input };
  }

  /// "name: problem" for a file the module refused, and what the widget still shows.
  const refusal = (fileName, e, still) => `${fileName}: ${errorText(e)}. The widget still shows ${still || 'nothing'}.`;

  // ---- Widget 1: the rising tide -------------------------------------------------------------------

  function tideWidget(root) {
    const widget = {};
    const { message, show } = messageLine();
    widget.show = show;
    const slider = el('input', { type: 'range', min: '0', max: String(STEPS), step: '1', value: '63', class: 'live-t', 'aria-label': 'time step t' });
    const tOut = el('output', { class: 'live-t-value' });
    const seed = el('input', { type: 'number', min: '0', max: '4294967295', step: '1', value: '0', class: 'live-seed', 'aria-label': 'noise seed' });
    const image = el('canvas', { class: 'live-image', width: '320', height: '320', 'aria-label': 'the noisy image x_t' });
    const estimate = el('canvas', { class: 'live-image live-estimate', width: '320', height: '320', 'aria-label': 'the Wiener estimate x̂₀ of the clean photo' });
    const estimateCaption = el('figcaption', {}, 'Wiener estimate x̂₀');
    // The book's Gaussian model of the photos (listings/live/src/model.rs), decoded once.
    const model = window.LIVE_ASSETS.model;
    const modelBytes = model ? decodeBase64(model.base64) : null;
    let estimateTimer = null, stepMs = 0, estimateMs = 0;
    const chart = el('canvas', { class: 'live-chart', 'aria-label': 'RAPSD of the clean part, the noise and the noisy image x_t' });
    const fmax = el('p', { class: 'live-readout' });
    const title = el('p', { class: 'live-title' });
    // The module's state, and the last input it took (to re-create it after a trap).
    let state = null, input = null, pending = false;

    const seedValue = () => Math.max(0, Math.min(4294967295, Math.floor(Number(seed.value) || 0)));

    /// Makes the module's state for a photo; false (and a message) when the module refuses it.
    function take(bytes, fileName) {
      let next;
      try {
        next = guard(widget, () => new wasm.LiveTide(bytes, seedValue()));
      } catch (e) {
        show(refusal(fileName, e, input && input.name), true);
        return false;
      }
      if (next === undefined) return false; // a trap: the module restarts
      show('');
      try {
        if (!modelBytes) throw new Error('live-assets.js holds no model of the photos');
        guard(widget, () => next.set_model(model.rows, model.cols, modelBytes));
      } catch (e) {
        show(`No Wiener estimate: ${errorText(e)}.`, true); // a broken build, not the reader's file
      }
      if (state) guard(widget, () => state.free());
      state = next;
      input = { bytes, name: fileName };
      redraw();
      return true;
    }

    const { row, buttons } = chooser(
      window.LIVE_ASSETS.photos,
      'image/jpeg,image/png,.jpg,.jpeg,.png',
      'photo',
      'JPEG or PNG',
      take,
      (text) => show(`${text}. The widget still shows ${(input && input.name) || 'nothing'}.`, true),
      (item) => el('img', { src: 'data:image/jpeg;base64,' + item.base64, alt: item.name, width: '64', height: '64' }),
    );

    function redraw() {
      pending = false;
      if (!state) return;
      const step = Number(slider.value);
      const t0 = performance.now();
      if (guard(widget, () => {
        state.update(step, STEPS);
        draw(state);
        return true;
      }) === undefined) return;
      stepMs = performance.now() - t0;
      clearTimeout(estimateTimer);
      if (stepMs + estimateMs <= FRAME_MS) {
        drawEstimate();
      } else {
        estimate.classList.add('live-stale');
        estimateTimer = setTimeout(drawEstimate, ESTIMATE_DELAY_MS);
      }
    }

    /// x̂₀ for the current frame, computed in Rust (spectral::denoise::wiener_denoise).
    function drawEstimate() {
      estimateTimer = null;
      if (!state) return;
      const t0 = performance.now();
      let shown;
      try {
        shown = guard(widget, () => {
          const rgba = state.estimate_pixels();
          putGrey(estimate, rgba, state.size());
          return state.t();
        });
      } catch (e) {
        estimateCaption.textContent = `no Wiener estimate (${errorText(e)})`;
        return;
      }
      if (shown === undefined) return;
      estimateMs = performance.now() - t0;
      estimate.classList.remove('live-stale');
      estimate.dataset.t = String(shown);
      estimateCaption.textContent = `Wiener estimate x̂₀ at t = ${shown.toFixed(2)}`;
    }

    /// The chart alone, from the frame the module holds (also on a resize).
    const entries = [
      ['clean part (1 − t)² P', COLOURS.red],
      ['noise t² N', COLOURS.blue],
      ['noisy image x_{t}', COLOURS.green, [5, 3]],
      ['f_{max}', COLOURS.black, [4, 3]],
    ];
    function drawChart(s) {
      const { ctx, w, h, reserve } = chartFrame(chart, entries);
      const ax = logAxes(ctx, w, h, [2.5e-3, 0.6], [1e-6, 1e4], 'frequency (cycles/pixel)', 'power', reserve);
      const f = s.frequency();
      curve(ctx, ax, f, s.clean(), COLOURS.red);
      curve(ctx, ax, f, s.noise(), COLOURS.blue);
      curve(ctx, ax, f, s.noisy(), COLOURS.green, { dash: [5, 3] });
      const fm = s.f_max();
      if (fm > 0) marker(ctx, ax, fm, 'f_{max}');
      legend(ctx, ax, entries, reserve);
    }

    function draw(s) {
      const t = s.t();
      tOut.textContent = `t = ${t.toFixed(2)}`;
      putGrey(image, s.pixels(), s.size());
      drawChart(s);
      const fm = s.f_max();
      const text = s.f_max_text();
      fmax.dataset.fmax = text;
      fmax.dataset.t = String(t);
      const f = () => [el('i', {}, 'f'), el('sub', {}, 'max')];
      fmax.replaceChildren(
        ...f(),
        `(${t.toFixed(2)}) = ${text}`,
        ...(fm > 0
          ? [' cycles/pixel: waves longer than ', `${(1 / fm).toFixed(1)} pixels still rise above the noise.`]
          : [': no frequency rises above the noise any more.']),
      );
      title.textContent = `${input.name}, green channel, 320 × 320, noise seed ${seedValue()}`;
    }

    const schedule = () => {
      if (!pending) {
        pending = true;
        requestAnimationFrame(redraw);
      }
    };
    slider.addEventListener('input', schedule);
    // The seed applies as it is typed or stepped, not only on Enter.
    seed.addEventListener('input', () => {
      if (seed.value === '') return; // half-typed: wait for a number
      const v = seedValue();
      if (state && guard(widget, () => {
        state.set_seed(v);
        return true;
      }) === undefined) return;
      schedule();
    });
    seed.addEventListener('change', () => (seed.value = String(seedValue())));
    redrawOnResize(chart, () => state && guard(widget, () => drawChart(state)));

    /// The instance died (a trap): its objects are gone with it. `why` is set for the widget
    /// whose call trapped.
    widget.lost = (why) => {
      state = null;
      clearTimeout(estimateTimer);
      if (why) show(`Something went wrong inside the live figure: ${why}. It is restarting…`, true);
    };
    /// The module is back: the widget takes its last photo again.
    widget.restart = () => {
      if (!input) return;
      const { bytes, name } = input;
      const was = message.textContent;
      if (take(bytes, name) && was) {
        show(`${was.replace(/ It is restarting…$/, '')} The live figure restarted with ${name}.`, true);
        root.dataset.restarts = String(Number(root.dataset.restarts || 0) + 1);
      }
    };

    const xt = () => [el('i', {}, 'x'), el('sub', {}, 't')];
    root.replaceChildren(
      row,
      el('div', { class: 'live-controls' }, el('label', {}, 'time ', slider), tOut, el('label', {}, 'noise seed ', seed)),
      el(
        'div',
        { class: 'live-panels live-panels-tide' },
        el('figure', { class: 'live-picture' }, image, el('figcaption', {}, ...xt(), ' = (1 − t) x', el('sub', {}, '0'), ' + t ε')),
        el('figure', { class: 'live-picture' }, estimate, estimateCaption),
        chart,
      ),
      title,
      fmax,
      message,
    );
    if (TEST_HOOKS) {
      root.liveTest = {
        // The benchmark (tests/browser/live-bench.mjs): `n` full slider steps, computed and drawn.
        bench(n) {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            state.update(i % (STEPS + 1), STEPS);
            draw(state);
          }
          return (performance.now() - t0) / n;
        },
        // The estimate alone: `n` computations of x̂₀ for the current frame, drawn.
        benchEstimate(n) {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) putGrey(estimate, state.estimate_pixels(), state.size());
          return (performance.now() - t0) / n;
        },
        // A planted failure (tests/browser/live.mjs): a frame read before it is computed, which
        // the module refuses with a panic, as any bug in it would end.
        plantPanic() {
          guard(widget, () => new wasm.LiveTide(input.bytes, 0).t());
        },
      };
    }
    widgets.push(widget);
    buttons[0].click();
  }

  // ---- Widget 2: the mel-RAPSD of a recording ------------------------------------------------------

  function soundWidget(root) {
    const widget = {};
    const { message, show } = messageLine();
    widget.show = show;
    const chart = el('canvas', { class: 'live-chart', 'aria-label': 'RAPSD of the log-mel spectrogram with its power-law fit' });
    const mel = el('canvas', { class: 'live-mel', 'aria-label': 'log-mel spectrogram (magma colours)' });
    const readout = el('p', { class: 'live-readout' });
    let input = null, shown = null;

    /// Measures a recording; false (and a message) when the module refuses it.
    function take(bytes, fileName) {
      let s;
      try {
        s = guard(widget, () => new wasm.LiveSound(bytes));
      } catch (e) {
        show(refusal(fileName, e, input && input.name), true);
        return false;
      }
      if (s === undefined) return false;
      const ok = guard(widget, () => {
        shown = read(s);
        s.free();
        return true;
      });
      if (ok === undefined) return false;
      input = { bytes, name: fileName };
      show('');
      draw();
      return true;
    }

    /// Everything the widget shows, copied out of the module once.
    function read(s) {
      return {
        f: s.frequency(), p: s.power(), alpha: s.alpha(), c: s.c(),
        bands: s.mel_bands(), frames: s.mel_frames(), db: s.log_mel(),
        seconds: s.seconds(), channels: s.channels(), rate: s.sample_rate(),
      };
    }

    const { row, buttons } = chooser(
      window.LIVE_ASSETS.clips,
      'audio/wav,audio/x-wav,.wav',
      'recording',
      'WAV file',
      take,
      (text) => show(`${text}. The widget still shows ${(input && input.name) || 'nothing'}.`, true),
      (item) => el('span', { class: 'live-clip-name' }, item.name.replace(/\.wav$/, '')),
    );

    function drawChart() {
      const { f, p, alpha, c } = shown;
      const entries = [
        ['log-mel RAPSD', COLOURS.red],
        [`fit C f^{−α}, α = ${alpha.toFixed(2)}`, COLOURS.black, [2, 3]],
      ];
      const { ctx, w, h, reserve } = chartFrame(chart, entries);
      const lo = Math.min(...p), hi = Math.max(...p);
      const y0 = Math.pow(10, Math.floor(Math.log10(lo))), y1 = Math.pow(10, Math.ceil(Math.log10(hi)));
      const ax = logAxes(ctx, w, h, [0.004, 0.8], [y0, y1], 'frequency (cycles/pixel of the mel image)', 'power', reserve);
      curve(ctx, ax, f, p, COLOURS.red);
      curve(ctx, ax, f, f.map((x) => c * Math.pow(x, -alpha)), COLOURS.black, { dots: false, dash: [2, 3] });
      legend(ctx, ax, entries, reserve);
    }

    function draw() {
      drawChart();
      // The spectrogram, lowest band at the bottom, in magma from its minimum to its maximum dB
      // (as F16 draws it).
      const { bands, frames, db } = shown;
      let dlo = Infinity, dhi = -Infinity;
      for (const v of db) if (isFinite(v)) { dlo = Math.min(dlo, v); dhi = Math.max(dhi, v); }
      const rgba = new Uint8ClampedArray(bands * frames * 4);
      for (let b = 0; b < bands; b++) {
        for (let t = 0; t < frames; t++) {
          const [r, g, bl] = magma((db[b * frames + t] - dlo) / (dhi - dlo || 1));
          const at = ((bands - 1 - b) * frames + t) * 4;
          [rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]] = [r, g, bl, 255];
        }
      }
      mel.width = frames;
      mel.height = bands;
      mel.getContext('2d').putImageData(new ImageData(rgba, frames, bands), 0, 0);
      const { alpha, c, seconds, channels, rate } = shown;
      readout.dataset.alpha = alpha.toFixed(3);
      readout.replaceChildren(
        `${input.name}: ${seconds.toFixed(2)} s (${channels} channel${channels > 1 ? 's' : ''}, ${rate} Hz), middle 2 s at 22,050 Hz. Power law `,
        el('i', {}, 'P'), '(', el('i', {}, 'f'), `) ≈ ${c.toPrecision(3)} · `, el('i', {}, 'f'), el('sup', {}, `−${alpha.toFixed(3)}`), '.',
      );
    }
    redrawOnResize(chart, () => shown && drawChart());

    widget.lost = (why) => {
      if (why) show(`Something went wrong inside the live figure: ${why}. It is restarting…`, true);
    };
    widget.restart = () => {
      if (!input) return;
      const { bytes, name } = input;
      const was = message.textContent;
      if (take(bytes, name) && was) show(`${was.replace(/ It is restarting…$/, '')} The live figure restarted with ${name}.`, true);
    };

    root.replaceChildren(
      row,
      el('div', { class: 'live-panels live-panels-sound' }, el('figure', { class: 'live-picture' }, mel, el('figcaption', {}, 'log-mel spectrogram, 128 bands × 2 s')), chart),
      readout,
      message,
    );
    widgets.push(widget);
    buttons[0].click();
  }

  // ---- Start -----------------------------------------------------------------------------------------

  function init() {
    const roots = document.querySelectorAll('.live-widget');
    if (roots.length === 0) return;
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') return; // fallback stays
    instantiate().then(
      (glue) => {
        wasm = glue;
        for (const r of roots) {
          try {
            r.classList.add('live-ready');
            if (r.dataset.live === 'tide') tideWidget(r);
            else if (r.dataset.live === 'sound') soundWidget(r);
          } catch (e) {
            r.append(el('p', { class: 'live-message live-error' }, `The live figure could not start: ${errorText(e)}`));
          }
        }
      },
      (e) => {
        for (const r of roots) r.append(el('p', { class: 'live-message live-error' }, `The live figure could not start: ${errorText(e)}`));
      },
    );
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
