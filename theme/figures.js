// Every figure of a chapter can be opened at full size, and its caption breaks its lines where
// a reader expects.
//
// On a phone a figure drawn for the 750-px column is shown about half as wide, and its text
// shrinks with it. A tap (or click, or Enter on the focused figure) opens the figure's file at its
// own size in a full-screen view that scrolls, and offers the file itself; Escape, the close
// button or a tap on the picture closes it. Where a figure has a narrow layout for phones
// (<picture><source media=…>), the full-size view shows the wide one: it is the full size.
//
// Loaded on every page (book.toml: additional-js); without JavaScript the figures stay plain
// images.
(function () {
  'use strict';

  let dialog = null;

  /// The one full-size view of the page, made on first use.
  function lightbox() {
    if (dialog) return dialog;
    dialog = document.createElement('dialog');
    dialog.className = 'figure-lightbox';
    dialog.setAttribute('aria-label', 'figure at full size');
    const bar = document.createElement('div');
    bar.className = 'figure-lightbox-bar';
    const link = document.createElement('a');
    link.className = 'figure-lightbox-file';
    link.target = '_blank';
    link.rel = 'noopener';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', () => dialog.close());
    bar.append(link, close);
    const img = document.createElement('img');
    img.addEventListener('click', () => dialog.close());
    dialog.append(bar, img);
    // A click on the dimmed area around the picture closes the view too, and so does Escape
    // (handled here as well: a browser may skip the dialog's own close on Escape).
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog) dialog.close();
    });
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        dialog.close();
      }
    });
    document.body.append(dialog);
    return dialog;
  }

  /// Opens `img`'s own file (not a narrow variant) at its natural size.
  function open(img) {
    const d = lightbox();
    const full = d.querySelector('img');
    const file = img.getAttribute('src');
    full.alt = img.alt;
    full.src = img.src;
    const fit = () => {
      // The file's own size in CSS px: an SVG's width attribute, a raster's pixels.
      full.style.width = full.naturalWidth ? `${full.naturalWidth}px` : '';
    };
    if (full.complete) fit();
    full.onload = fit;
    const link = d.querySelector('.figure-lightbox-file');
    link.href = img.src;
    link.textContent = `open ${file.split('/').pop()}`;
    d.showModal();
    d.scrollTo(0, 0);
    d.querySelector('button').focus();
  }

  function span(className, ...children) {
    const e = document.createElement('span');
    e.className = className;
    e.append(...children);
    return e;
  }

  /// Captions break between words only: each word of a command (<code>) is kept whole (a browser
  /// would otherwise break `f01-image-spectra` after a hyphen), and math is glued to an opening
  /// bracket before it and to punctuation after it, so no line ends in "(" or starts with ")".
  function gentleBreaks(caption) {
    for (const code of caption.querySelectorAll('code')) {
      const parts = code.textContent.split(/( +)/).filter((p) => p !== '');
      code.replaceChildren(...parts.map((p) => (/^ +$/.test(p) ? p : span('nobreak', p))));
    }
    for (const math of caption.querySelectorAll('.katex')) {
      const before = math.previousSibling, after = math.nextSibling;
      const glue = span('nobreak');
      math.replaceWith(glue);
      const open = before && before.nodeType === Node.TEXT_NODE && before.data.match(/[(\[{“‘]+$/);
      if (open) {
        before.data = before.data.slice(0, -open[0].length);
        glue.append(open[0]);
      }
      glue.append(math);
      const close = after && after.nodeType === Node.TEXT_NODE && after.data.match(/^[)\]}”’.,;:!?]+/);
      if (close) {
        after.data = after.data.slice(close[0].length);
        glue.append(close[0]);
      }
    }
  }

  function init() {
    for (const caption of document.querySelectorAll('main figcaption')) gentleBreaks(caption);
    const images = document.querySelectorAll('main figure img');
    for (const img of images) {
      img.classList.add('figure-zoomable');
      img.tabIndex = 0;
      img.setAttribute('role', 'button');
      img.setAttribute('aria-label', `open at full size: ${img.alt || 'figure'}`);
      img.addEventListener('click', () => open(img));
      img.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open(img);
        }
      });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
