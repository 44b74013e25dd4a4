"""What the two Python pipelines of `cargo xtask bench` share: the file list, the book's
preparation of a photo with Pillow, the power-law fit, and the one-line JSON report.

Every step mirrors the book's Rust code (listings/bookkit/src/data.rs, listings/spectral/src/fit.rs)
so that the three pipelines measure the same thing and must agree on alpha.
"""

import json
import math
import os
import sys

import numpy as np
from PIL import Image

SIZE = 320
EXTENSIONS = (".jpg", ".jpeg", ".png")


def image_files(folder):
    """Every JPEG/PNG file under `folder`, walked recursively, sorted by path (as bookkit does)."""
    found = []
    for top, _, names in os.walk(folder):
        found += [os.path.join(top, n) for n in names if n.lower().endswith(EXTENSIONS)]
    found.sort()
    if not found:
        sys.exit(f"no JPEG or PNG files found in {folder}")
    return found


def round_half_away(x):
    """Rust's f64::round (half away from zero), which bookkit uses; Python's round() is half-even."""
    return int(math.floor(x + 0.5))


def square_crop_box(w, h, n=SIZE):
    """The resize target and crop box of bookkit::data::prepare: short side to n, centre crop."""
    scale = n / min(w, h)
    nw, nh = max(round_half_away(w * scale), n), max(round_half_away(h * scale), n)
    left, top = (nw - n) // 2, (nh - n) // 2
    return (nw, nh), (left, top, left + n, top + n)


def prepare(img, n=SIZE):
    """Resize so the short side is n (Lanczos), centre-crop to n x n: Pillow, 8 bits per channel."""
    size, box = square_crop_box(*img.size, n)
    if size != img.size:
        img = img.resize(size, Image.LANCZOS)
    return img.crop(box)


def to_field(channel_u8):
    """8-bit pixels to [-1, 1] in float64, as diffusion models scale them."""
    return 2.0 * np.asarray(channel_u8, dtype=np.float64) / 255.0 - 1.0


def log_mean(curves):
    """exp(mean(ln p)) point by point: the log-domain (geometric) mean of the curves."""
    return np.exp(np.mean(np.log(np.asarray(curves)), axis=0))


def fit_power_law(freq, power):
    """P(f) = C f^-alpha by least squares in log-log space, after resampling ln P linearly in
    ln f to as many log-uniform frequencies as there are positive ones. Returns (alpha, C)."""
    keep = freq > 0
    lf, lp = np.log(freq[keep]), np.log(power[keep])
    grid = np.linspace(lf[0], lf[-1], len(lf))
    slope, intercept = np.polyfit(grid, np.interp(grid, lf, lp), 1)
    return -slope, math.exp(intercept)


def report(name, files, alpha, c, seconds, curves=None, dump=None, cpu_seconds=None):
    """Prints one JSON line for xtask; optionally saves per-image curves (for investigations).
    `cpu_seconds` is this process's CPU time (worker processes of a Pool are not included)."""
    if dump:
        np.save(dump, np.asarray(curves))
    print(
        json.dumps(
            {
                "pipeline": name,
                "images": len(files),
                "alpha": alpha,
                "C": c,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "images_per_second": len(files) / seconds,
            }
        )
    )
