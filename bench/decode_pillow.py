"""JPEG decoding alone, with Pillow (libjpeg-turbo), in one process: the part of the Python
pipelines that no resizing or spectral code can speed up, beside `bench-tool jpeg` for the Rust one.

    python bench/decode_pillow.py DIR

Opens and decodes every file as pipeline_pysteps.py does before it converts and resizes, and prints
one JSON line like the pipelines (without alpha: nothing is fitted). Start-up and imports are not
counted.
"""

import argparse
import time

from PIL import Image

import bench_common as bc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    args = parser.parse_args()
    start, cpu_start = time.perf_counter(), time.process_time()
    files = bc.image_files(args.folder)
    for path in files:
        with Image.open(path) as img:
            img.load()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    bc.report("pillow-jpeg", files, None, None, seconds, cpu_seconds=cpu)


if __name__ == "__main__":
    main()
