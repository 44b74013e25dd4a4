"""The book's measurement as the post computed it in Python, one image after another:

Pillow decodes and resizes (short side 320, Lanczos, centre crop), NumPy scales the green channel
to [-1, 1], `pysteps.utils.spectral.rapsd(field, fft_method=np.fft)` gives the RAPSD, the curves
(DC dropped) are averaged in the log domain and a power law is fitted.

    python bench/pipeline_pysteps.py DIR [--dump curves.npy]

Prints one JSON line: pipeline, images, alpha, C, seconds, images_per_second. The time covers the
file listing through the fit; the interpreter's start-up and the imports are not counted.
"""

import argparse
import time

import numpy as np
from PIL import Image
from pysteps.utils.spectral import rapsd

import bench_common as bc


def image_rapsd(path):
    img = bc.prepare(Image.open(path).convert("RGB"))
    field = bc.to_field(np.asarray(img)[:, :, 1])
    power, freq = rapsd(field, fft_method=np.fft, return_freq=True)
    return freq[1:], power[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--dump", help="save the per-image RAPSDs (DC dropped) as .npy")
    args = parser.parse_args()
    start, cpu_start = time.perf_counter(), time.process_time()
    files = bc.image_files(args.folder)
    curves = []
    for path in files:
        freq, power = image_rapsd(path)
        curves.append(power)
    alpha, c = bc.fit_power_law(freq, bc.log_mean(curves))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    bc.report("pysteps", files, alpha, c, seconds, curves, args.dump, cpu)


if __name__ == "__main__":
    main()
