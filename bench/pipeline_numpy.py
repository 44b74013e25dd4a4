"""The same measurement as pipeline_pysteps.py, tuned the way a NumPy programmer would tune it:

- Pillow resizes only the green channel (its Lanczos filter works channel by channel, so this gives
  exactly the green channel of the resized RGB image, for a third of the work);
- a real FFT (`numpy.fft.rfft2`) computes half the spectrum: the other half mirrors it, and both
  halves of a mirrored pair fall on the same radius;
- the radius of every bin is computed once, and the radial mean is one weighted `numpy.bincount`
  (weight 2 for the columns that stand for their mirror image too), instead of one mask per radius.

    python bench/pipeline_numpy.py DIR [--workers K] [--dump curves.npy]

With --workers K > 1 the images are spread over K processes (multiprocessing.Pool). Prints one
JSON line like pipeline_pysteps.py; start-up and imports are not counted.
"""

import argparse
import time

import numpy as np
from PIL import Image

import bench_common as bc


class RadialMean:
    """Radius labels and counts for the half-spectrum of rfft2 on an n x n field, laid out as
    pysteps lays out the full shifted spectrum: r = round(hypot(u, v)), r < n/2 kept."""

    def __init__(self, n=bc.SIZE):
        self.n = n
        u = np.fft.fftfreq(n, 1.0 / n)  # 0, 1, ..., n/2 - 1, -n/2, ..., -1
        v = np.arange(n // 2 + 1)
        r = np.rint(np.hypot(u[:, None], v[None, :])).astype(np.intp)
        self.radii = n // 2 + n % 2
        # Columns 1 .. ceil(n/2) - 1 stand for themselves and their mirror image.
        weight = np.full(v.shape, 2.0)
        weight[0] = 1.0
        if n % 2 == 0:
            weight[-1] = 1.0
        self.weight = np.broadcast_to(weight, r.shape).ravel()
        self.labels = r.ravel()
        counts = np.bincount(self.labels, weights=self.weight)
        self.counts = counts[: self.radii]
        self.freq = np.arange(self.radii) / n

    def __call__(self, field):
        spectrum = np.fft.rfft2(field)
        power = (spectrum.real**2 + spectrum.imag**2).ravel() / field.size
        sums = np.bincount(self.labels, weights=power * self.weight)
        return sums[: self.radii] / self.counts


RADIAL = RadialMean()


def image_rapsd(path):
    img = Image.open(path)
    green = img.getchannel("G") if img.mode == "RGB" else img.convert("RGB").getchannel("G")
    return RADIAL(bc.to_field(bc.prepare(green)))[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dump", help="save the per-image RAPSDs (DC dropped) as .npy")
    args = parser.parse_args()
    start, cpu_start = time.perf_counter(), time.process_time()
    files = bc.image_files(args.folder)
    if args.workers > 1:
        import multiprocessing

        with multiprocessing.Pool(args.workers) as pool:
            curves = pool.map(image_rapsd, files, chunksize=8)
    else:
        curves = [image_rapsd(p) for p in files]
    alpha, c = bc.fit_power_law(RADIAL.freq[1:], bc.log_mean(curves))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    name = "numpy" if args.workers <= 1 else f"numpy-pool{args.workers}"
    # A Pool's workers are other processes: their CPU time is not this process's.
    bc.report(name, files, alpha, c, seconds, curves, args.dump, cpu if args.workers <= 1 else None)


if __name__ == "__main__":
    main()
