// Live figures: the book's spectral core, compiled to WebAssembly, in the page.
//
// Loaded on every page (book.toml: additional-js) but does nothing unless the page holds a
// <div class="live-widget" data-live="tide|sound">. Such a div starts with a static fallback (a
// pointer to the static figure), which stays as it is when JavaScript or WebAssembly is missing.
//
// Why classic scripts and base64: a book opened from disk (file://) may not fetch() a .wasm file
// nor import an ES module, but it may load a classic <script src>. `cargo xtask book` writes
//   live/live-wasm.js    wasm-bindgen's `--target no-modules` glue + the module's bytes (base64)
//   live/live-assets.js  the embedded photos and recordings the widgets offer (base64), and the
//                        book's Gaussian model of the photos for the tide widget's x̂₀
// under src/ (git-ignored), and this script instantiates the module from the decoded bytes.
// Nothing leaves the machine: no fetch, no CDN.
//
// All computation is in Rust (listings/live, calling listings/spectral); this file only draws.
// The colours are the static charts' (bookkit::plot RED, BLUE, GREEN, BLACK: a native test in
// listings/live checks they are the same).
(function () {
  'use strict';

  const COLOURS = { red: '#d62728', blue: '#1f77b4', green: '#2ca02c', black: '#000000', grey: '#7f7f7f' };
  const LINE_WIDTH = 1.75;
  const FONT = '13px "DejaVu Sans", "Open Sans", sans-serif';
  const SMALL_FONT = '11px "DejaVu Sans", "Open Sans", sans-serif';
  const CHART_W = 440, CHART_H = 300; // CSS px: beside a 256 px image in the text column
  const STEPS = 100; // the slider's t = step / 100, the grid of `spectra fmax` (its default --steps)
  // The Wiener estimate x̂₀ costs about as much again as a slider step (two FFTs more). It is
  // computed with each step while the two, as last measured, fit in a 60 Hz frame; on a slower
  // machine it waits until the slider has rested ESTIMATE_DELAY_MS, and the previous estimate is
  // shown faded meanwhile (the hooks liveBench and liveBenchEstimate below time both).
  const FRAME_MS = 1000 / 60;
  const ESTIMATE_DELAY_MS = 120;

  const here = document.currentScript && document.currentScript.src;
  // This script sits at the book's root + "theme/live-<hash>.js" (mdBook adds a content hash).
  const root = here ? here.replace(/theme\/live[^/]*\.js(\?.*)?$/, '') : (window.path_to_root || '');

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

  let ready = null;
  /// Loads the glue, the module and the assets once per page.
  function start() {
    if (!ready) {
      ready = Promise.all([loadScript(root + 'live/live-wasm.js'), loadScript(root + 'live/live-assets.js')])
        .then(() => wasm_bindgen({ module_or_path: decodeBase64(window.LIVE_WASM_BASE64) }))
        .then(() => wasm_bindgen);
    }
    return ready;
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

  // ---- Charts: log-log axes in the static figures' style ----------------------------------------

  const SUPERSCRIPT = { '-': '\u207b', 0: '\u2070', 1: '\u00b9', 2: '\u00b2', 3: '\u00b3', 4: '\u2074', 5: '\u2075', 6: '\u2076', 7: '\u2077', 8: '\u2078', 9: '\u2079' };
  const power10 = (n) => '10' + String(n).split('').map((c) => SUPERSCRIPT[c]).join('');

  /// A canvas sized in CSS pixels, sharp on high-density screens.
  function hidpi(canvas, w, h) {
    const r = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
    canvas.style.width = w + 'px';
    canvas.style.height = h + 'px';
    const ctx = canvas.getContext('2d');
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return ctx;
  }

  /// Draws log-log axes and returns the data → pixel mapping.
  function logAxes(ctx, w, h, [x0, x1], [y0, y1], xLabel, yLabel) {
    const m = { left: 62, right: 12, top: 12, bottom: 44 };
    const lx0 = Math.log10(x0), lx1 = Math.log10(x1), ly0 = Math.log10(y0), ly1 = Math.log10(y1);
    const px = (x) => m.left + ((Math.log10(x) - lx0) / (lx1 - lx0)) * (w - m.left - m.right);
    const py = (y) => h - m.bottom - ((Math.log10(y) - ly0) / (ly1 - ly0)) * (h - m.top - m.bottom);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = COLOURS.black;
    ctx.lineWidth = 1;
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, w - m.left - m.right, h - m.top - m.bottom);
    ctx.fillStyle = COLOURS.black;
    ctx.font = SMALL_FONT;
    const ticks = (lo, hi, along) => {
      for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
        for (let k = 1; k < 10; k++) {
          const v = Math.log10(k * Math.pow(10, d));
          if (v < lo - 1e-9 || v > hi + 1e-9) continue;
          along(Math.pow(10, v), k === 1 ? d : null);
        }
      }
    };
    ctx.beginPath();
    ticks(lx0, lx1, (v, d) => {
      const x = Math.round(px(v)) + 0.5, len = d === null ? 3 : 6;
      ctx.moveTo(x, h - m.bottom);
      ctx.lineTo(x, h - m.bottom - len);
      if (d !== null) {
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        ctx.fillText(power10(d), x, h - m.bottom + 4);
      }
    });
    ticks(ly0, ly1, (v, d) => {
      const y = Math.round(py(v)) + 0.5, len = d === null ? 3 : 6;
      ctx.moveTo(m.left, y);
      ctx.lineTo(m.left + len, y);
      if (d !== null) {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'middle';
        ctx.fillText(power10(d), m.left - 4, y);
      }
    });
    ctx.stroke();
    ctx.font = FONT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xLabel, m.left + (w - m.left - m.right) / 2, h - 4);
    ctx.save();
    ctx.translate(14, m.top + (h - m.top - m.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
    return { px, py, m, inside: (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1 };
  }

  /// A curve as a line with dots (the static figures' `Style::LineDots`), clipped to the plot.
  function curve(ctx, ax, xs, ys, colour, { dots = true, dash = null } = {}) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(ax.m.left, ax.m.top, ctx.canvas.clientWidth - ax.m.left - ax.m.right, ctx.canvas.clientHeight - ax.m.top - ax.m.bottom);
    ctx.clip();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = LINE_WIDTH;
    if (dash) ctx.setLineDash(dash);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!(ys[i] > 0) || !isFinite(ys[i])) {
        pen = false;
        continue;
      }
      const x = ax.px(xs[i]), y = ax.py(ys[i]);
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
    if (dots && xs.length <= 200) {
      for (let i = 0; i < xs.length; i++) {
        if (!(ys[i] > 0) || !isFinite(ys[i])) continue;
        ctx.beginPath();
        ctx.arc(ax.px(xs[i]), ax.py(ys[i]), 1.6, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
  }

  function legend(ctx, ax, w, entries) {
    ctx.font = SMALL_FONT;
    const lineH = 16;
    const width = Math.max(...entries.map(([t]) => ctx.measureText(t).width)) + 34;
    const x = w - ax.m.right - width - 6, y = ax.m.top + 6;
    ctx.fillStyle = 'rgba(255,255,255,0.9)';
    ctx.fillRect(x, y, width, entries.length * lineH + 6);
    entries.forEach(([text, colour, dash], i) => {
      const cy = y + 3 + lineH * i + lineH / 2;
      ctx.strokeStyle = colour;
      ctx.lineWidth = LINE_WIDTH;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      ctx.moveTo(x + 4, cy);
      ctx.lineTo(x + 24, cy);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLOURS.black;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(text, x + 30, cy);
    });
  }

  function putGrey(canvas, rgba, n) {
    canvas.width = n;
    canvas.height = n;
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), n, n), 0, 0);
  }

  // ---- Shared pieces of a widget -------------------------------------------------------------------

  /// A row of choices (embedded items) plus a file input and a drop zone for the reader's own.
  function chooser(items, accept, label, onBytes, thumb) {
    const row = el('div', { class: 'live-choices', role: 'group', 'aria-label': label });
    const buttons = items.map((item) => {
      const b = el('button', { type: 'button', class: 'live-choice', title: item.name, 'data-name': item.name }, thumb(item));
      b.addEventListener('click', () => {
        buttons.forEach((o) => o.setAttribute('aria-pressed', String(o === b)));
        onBytes(decodeBase64(item.base64), item.name);
      });
      return b;
    });
    row.append(...buttons);
    const input = el('input', { type: 'file', accept, class: 'live-file', 'aria-label': label });
    const drop = el('label', { class: 'live-drop' }, input, el('span', {}, `or drop / pick your own ${accept.includes('wav') ? 'WAV file' : 'JPEG or PNG'}`));
    const readFile = (file) => {
      if (!file) return;
      buttons.forEach((o) => o.setAttribute('aria-pressed', 'false'));
      file.arrayBuffer().then((buf) => onBytes(new Uint8Array(buf), file.name), (e) => onBytes(null, file.name, e));
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

  // ---- Widget 1: the rising tide -------------------------------------------------------------------

  function tideWidget(root, wasm) {
    const message = el('p', { class: 'live-message', role: 'status', 'aria-live': 'polite' });
    const slider = el('input', { type: 'range', min: '0', max: String(STEPS), step: '1', value: '63', class: 'live-t', 'aria-label': 't' });
    const tOut = el('output', { class: 'live-t-value' });
    const seed = el('input', { type: 'number', min: '0', max: '4294967295', step: '1', value: '0', class: 'live-seed', 'aria-label': 'seed' });
    const image = el('canvas', { class: 'live-image', width: '320', height: '320', 'aria-label': 'the noisy image x_t' });
    const estimate = el('canvas', { class: 'live-image live-estimate', width: '320', height: '320', 'aria-label': 'the Wiener estimate x̂₀ of the clean photo' });
    const estimateCaption = el('figcaption', {}, 'Wiener estimate x̂₀');
    // The book's Gaussian model of the photos (listings/live/src/model.rs), decoded once.
    const model = window.LIVE_ASSETS.model;
    const modelBytes = model ? decodeBase64(model.base64) : null;
    let estimateTimer = null, stepMs = 0, estimateMs = 0;
    const chart = el('canvas', { class: 'live-chart', 'aria-label': 'RAPSD of the clean part, the noise and x_t' });
    const fmax = el('p', { class: 'live-readout' });
    const title = el('p', { class: 'live-title' });
    let state = null, name = '', pending = false;

    const { row, buttons } = chooser(
      window.LIVE_ASSETS.photos,
      'image/jpeg,image/png,.jpg,.jpeg,.png',
      'photo',
      (bytes, fileName, readError) => {
        if (!bytes) return show(`${fileName}: could not read the file (${errorText(readError)})`, true);
        let next;
        try {
          next = new wasm.LiveTide(bytes, Number(seed.value) >>> 0);
        } catch (e) {
          return show(`${fileName}: ${errorText(e)}. The widget still shows ${name || 'nothing'}.`, true);
        }
        show('');
        try {
          if (!modelBytes) throw new Error('live-assets.js holds no model of the photos');
          next.set_model(model.rows, model.cols, modelBytes);
        } catch (e) {
          show(`No Wiener estimate: ${errorText(e)}.`, true); // a broken build, not the reader's file
        }
        if (state) state.free();
        state = next;
        name = fileName;
        redraw();
      },
      (item) => el('img', { src: 'data:image/jpeg;base64,' + item.base64, alt: item.name, width: '64', height: '64' }),
    );

    function show(text, isError) {
      message.textContent = text;
      message.classList.toggle('live-error', !!isError);
    }

    function redraw() {
      pending = false;
      if (!state) return;
      const step = Number(slider.value);
      const t0 = performance.now();
      state.update(step, STEPS);
      draw(state);
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
      let rgba;
      try {
        rgba = state.estimate_pixels();
      } catch (e) {
        estimateCaption.textContent = `no Wiener estimate (${errorText(e)})`;
        return;
      }
      const t = state.t();
      putGrey(estimate, rgba, state.size());
      estimateMs = performance.now() - t0;
      estimate.classList.remove('live-stale');
      estimate.dataset.t = String(t);
      estimateCaption.textContent = `Wiener estimate x̂₀ at t = ${t.toFixed(2)}`;
    }

    function draw(s) {
      const t = s.t();
      tOut.textContent = `t = ${t.toFixed(2)}`;
      putGrey(image, s.pixels(), s.size());
      const f = s.frequency();
      const ctx = hidpi(chart, CHART_W, CHART_H);
      const ax = logAxes(ctx, CHART_W, CHART_H, [2.5e-3, 0.6], [1e-6, 1e4], 'frequency (cycles/pixel)', 'power');
      const fm = s.f_max();
      curve(ctx, ax, f, s.clean(), COLOURS.red);
      curve(ctx, ax, f, s.noise(), COLOURS.blue);
      curve(ctx, ax, f, s.noisy(), COLOURS.green);
      if (fm > 0) {
        ctx.save();
        ctx.strokeStyle = COLOURS.black;
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = 1.25;
        const x = ax.px(fm);
        ctx.beginPath();
        ctx.moveTo(x, ax.m.top);
        ctx.lineTo(x, CHART_H - ax.m.bottom);
        ctx.stroke();
        ctx.restore();
        ctx.font = SMALL_FONT;
        ctx.fillStyle = COLOURS.black;
        ctx.textAlign = x > 300 ? 'right' : 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText('f_max', x + (x > 300 ? -4 : 4), CHART_H - ax.m.bottom - 4);
      }
      legend(ctx, ax, CHART_W, [
        ['clean part (1 − t)² P', COLOURS.red],
        ['noise t² N', COLOURS.blue],
        ['noisy x_t', COLOURS.green],
        ['f_max', COLOURS.black, [4, 3]],
      ]);
      const text = s.f_max_text();
      fmax.dataset.fmax = text;
      fmax.dataset.t = String(t);
      fmax.textContent = fm > 0
        ? `f_max(${t.toFixed(2)}) = ${text} cycles/pixel: waves longer than ${(1 / fm).toFixed(1)} pixels still rise above the noise.`
        : `f_max(${t.toFixed(2)}) = ${text}: no frequency rises above the noise any more.`;
      title.textContent = `${name}, green channel, 320 × 320, noise seed ${seed.value}`;
    }

    const schedule = () => {
      if (!pending) {
        pending = true;
        requestAnimationFrame(redraw);
      }
    };
    slider.addEventListener('input', schedule);
    seed.addEventListener('change', () => {
      const v = Math.max(0, Math.min(4294967295, Math.floor(Number(seed.value) || 0)));
      seed.value = String(v);
      if (state) state.set_seed(v);
      schedule();
    });

    root.replaceChildren(
      row,
      el('div', { class: 'live-controls' }, el('label', {}, 'time ', slider), tOut, el('label', {}, 'noise seed ', seed)),
      el(
        'div',
        { class: 'live-panels' },
        el('figure', {}, image, el('figcaption', {}, 'x_t = (1 − t) x₀ + t ε')),
        el('figure', {}, estimate, estimateCaption),
        chart,
      ),
      title,
      fmax,
      message,
    );
    // Benchmark hook (tests/browser/live-bench.mjs): `n` full slider steps, computed and drawn.
    root.liveBench = (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        state.update(i % (STEPS + 1), STEPS);
        draw(state);
      }
      return (performance.now() - t0) / n;
    };
    // The estimate alone: `n` computations of x̂₀ for the current frame, drawn.
    root.liveBenchEstimate = (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) putGrey(estimate, state.estimate_pixels(), state.size());
      return (performance.now() - t0) / n;
    };
    buttons[0].click();
  }

  // ---- Widget 3: the mel-RAPSD of a recording ------------------------------------------------------

  function soundWidget(root, wasm) {
    const message = el('p', { class: 'live-message', role: 'status', 'aria-live': 'polite' });
    const chart = el('canvas', { class: 'live-chart', 'aria-label': 'RAPSD of the log-mel spectrogram with its power-law fit' });
    const mel = el('canvas', { class: 'live-mel', 'aria-label': 'log-mel spectrogram' });
    const readout = el('p', { class: 'live-readout' });
    let name = '';
    const { row, buttons } = chooser(
      window.LIVE_ASSETS.clips,
      'audio/wav,audio/x-wav,.wav',
      'recording',
      (bytes, fileName, readError) => {
        if (!bytes) return show(`${fileName}: could not read the file (${errorText(readError)})`, true);
        let s;
        try {
          s = new wasm.LiveSound(bytes);
        } catch (e) {
          return show(`${fileName}: ${errorText(e)}. The widget still shows ${name || 'nothing'}.`, true);
        }
        name = fileName;
        show('');
        draw(s);
        s.free();
      },
      (item) => el('span', { class: 'live-clip-name' }, item.name.replace(/\.wav$/, '')),
    );

    function show(text, isError) {
      message.textContent = text;
      message.classList.toggle('live-error', !!isError);
    }

    function draw(s) {
      const f = s.frequency(), p = s.power(), alpha = s.alpha(), c = s.c();
      const ctx = hidpi(chart, CHART_W, CHART_H);
      const lo = Math.min(...p), hi = Math.max(...p);
      const y0 = Math.pow(10, Math.floor(Math.log10(lo)) - 0), y1 = Math.pow(10, Math.ceil(Math.log10(hi)));
      const ax = logAxes(ctx, CHART_W, CHART_H, [0.004, 0.8], [y0, y1], 'frequency (cycles/pixel of the mel image)', 'power');
      curve(ctx, ax, f, p, COLOURS.red);
      curve(ctx, ax, f, f.map((x) => c * Math.pow(x, -alpha)), COLOURS.black, { dots: false, dash: [2, 3] });
      legend(ctx, ax, CHART_W, [
        ['log-mel RAPSD', COLOURS.red],
        [`fit C f^−α, α = ${alpha.toFixed(2)}`, COLOURS.black, [2, 3]],
      ]);
      // The spectrogram, lowest band at the bottom, grey from its minimum to its maximum dB.
      const bands = s.mel_bands(), frames = s.mel_frames(), db = s.log_mel();
      let dlo = Infinity, dhi = -Infinity;
      for (const v of db) if (isFinite(v)) { dlo = Math.min(dlo, v); dhi = Math.max(dhi, v); }
      const rgba = new Uint8ClampedArray(bands * frames * 4);
      for (let b = 0; b < bands; b++) {
        for (let t = 0; t < frames; t++) {
          const g = Math.round(255 * (db[b * frames + t] - dlo) / (dhi - dlo || 1));
          const at = ((bands - 1 - b) * frames + t) * 4;
          rgba[at] = rgba[at + 1] = rgba[at + 2] = g;
          rgba[at + 3] = 255;
        }
      }
      mel.width = frames;
      mel.height = bands;
      mel.getContext('2d').putImageData(new ImageData(rgba, frames, bands), 0, 0);
      readout.dataset.alpha = alpha.toFixed(3);
      readout.textContent = `${name}: ${s.seconds().toFixed(2)} s (${s.channels()} channel${s.channels() > 1 ? 's' : ''}, ${s.sample_rate()} Hz), middle 2 s at 22,050 Hz. Power law P(f) ≈ ${c.toPrecision(3)} · f^(−${alpha.toFixed(3)}).`;
    }

    root.replaceChildren(
      row,
      el('div', { class: 'live-panels' }, el('figure', {}, mel, el('figcaption', {}, 'log-mel spectrogram, 128 bands × 2 s')), chart),
      readout,
      message,
    );
    buttons[0].click();
  }

  // ---- Start -----------------------------------------------------------------------------------------

  function init() {
    const widgets = document.querySelectorAll('.live-widget');
    if (widgets.length === 0) return;
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') return; // fallback stays
    start().then(
      (wasm) => {
        for (const w of widgets) {
          try {
            w.classList.add('live-ready');
            if (w.dataset.live === 'tide') tideWidget(w, wasm);
            else if (w.dataset.live === 'sound') soundWidget(w, wasm);
          } catch (e) {
            w.append(el('p', { class: 'live-message live-error' }, `The live figure could not start: ${errorText(e)}`));
          }
        }
      },
      (e) => {
        for (const w of widgets) w.append(el('p', { class: 'live-message live-error' }, `The live figure could not start: ${errorText(e)}`));
      },
    );
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
