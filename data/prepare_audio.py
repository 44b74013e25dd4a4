#!/usr/bin/env python3
"""Rebuild data/audio/*.wav from Debian packages (maintainer script, not run in CI).

Every output is a 2.000 s excerpt (exactly 44,100 samples), mono, 22,050 Hz,
16-bit signed PCM WAV, cut from a real recording shipped in a Debian 12
(bookworm) package. See data/audio/SOURCES.md for the provenance and licence
of each file.

Requirements (Debian 12):
    apt-get update
    apt-get install -y sox libsox-fmt-all python3

What the script does:
  1. `apt-get download` the three source packages (pinned versions below) into a
     work directory (default: a fresh temp dir; or pass one with --work DIR,
     re-using any .deb already there) and unpacks them with `dpkg-deb -x`.
  2. GCompris keeps its activity data in Qt resource bundles (.rcc); the small
     reader below extracts the .ogg files from explore_world_music.rcc.
  3. For each excerpt runs exactly (no dither, -D):
        sox -D SRC -b 16 -e signed-integer OUT.wav \
            remix - gain -3 rate -v 22050 trim OFFSET 44100s gain -n -1
     i.e. down-mix to mono, 3 dB head-room, very-high-quality resampling to
     22,050 Hz, cut 44,100 samples starting OFFSET seconds into the resampled
     signal, then peak-normalise the excerpt to -1 dBFS, 16-bit without dither.
  4. Checks each result with soxi (22050 Hz, 1 channel, 16 bit, 44100 samples)
     and that it is not silent.

Usage:
    python3 data/prepare_audio.py [--work DIR] [--out data/audio]
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib

PACKAGES = {
    "tuxpaint-stamps-default": "2022.06.04-1",
    "gcompris-qt-data": "3.1-2",
    "asc-music": "1.3-6",
}

TUX = "usr/share/tuxpaint/stamps/"
GC_RCC = "usr/share/gcompris-qt/rcc/explore_world_music.rcc"
GC_MUSIC = "/gcompris/src/activities/explore_world_music/resource/music/"
ASC = "usr/share/games/asc/music/"

# (output file, source kind, path inside the package, offset in seconds)
EXCERPTS = [
    ("speech-01-french.wav", "deb", TUX + "symbols/chess/w_4_knight_desc_fr.ogg", 3.82),
    ("speech-02-danish.wav", "deb", TUX + "space/planets/6_saturn_desc_da.ogg", 0.12),
    ("speech-03-russian.wav", "deb", TUX + "space/planets/6_saturn_desc_ru.ogg", 0.84),
    ("speech-04-romanian.wav", "deb", TUX + "symbols/money/canadian/coins/100loonie_desc_ro.ogg", 0.54),
    ("speech-05-bulgarian.wav", "deb", TUX + "symbols/chess/w_4_knight_desc_bg.ogg", 0.70),
    ("speech-06-belarusian.wav", "deb", TUX + "medical/digitalthermometer_desc_be.ogg", 0.08),
    ("music-01-djembe.wav", "rcc", GC_MUSIC + "africa.ogg", 5.30),
    ("music-02-taiko.wav", "rcc", GC_MUSIC + "japan.ogg", 14.36),
    ("music-03-fiddle.wav", "rcc", GC_MUSIC + "ireland.ogg", 0.56),
    ("music-04-mariachi.wav", "rcc", GC_MUSIC + "mexico.ogg", 22.64),
    ("music-05-asc-frontiers.wav", "deb", ASC + "frontiers.mp3", 306.92),
    ("music-06-asc-time-to-strike.wav", "deb", ASC + "time_to_strike.mp3", 116.40),
]

SAMPLES = 44100
RATE = 22050


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def fetch(work):
    root = os.path.join(work, "root")
    os.makedirs(root, exist_ok=True)
    for name, ver in PACKAGES.items():
        debs = [f for f in os.listdir(work) if f.startswith(name + "_") and f.endswith(".deb")]
        if not debs:
            run(["apt-get", "download", f"{name}={ver}"], cwd=work)
            debs = [f for f in os.listdir(work) if f.startswith(name + "_") and f.endswith(".deb")]
        run(["dpkg-deb", "-x", os.path.join(work, debs[0]), root])
    return root


def read_rcc(path):
    """Minimal reader for Qt binary resource files (.rcc, format v1-v3)."""
    b = open(path, "rb").read()
    if b[:4] != b"qres":
        raise ValueError("not an rcc file: " + path)
    ver, tree, data, names = struct.unpack(">IIII", b[4:20])
    entry = 22 if ver >= 2 else 14
    out = {}

    def name_at(off):
        (n,) = struct.unpack(">H", b[names + off:names + off + 2])
        return b[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")

    def walk(idx, prefix):
        o = tree + idx * entry
        noff, flags = struct.unpack(">IH", b[o:o + 6])
        path = prefix + "/" + name_at(noff) if idx else ""
        if flags & 2:  # directory
            count, first = struct.unpack(">II", b[o + 6:o + 14])
            for i in range(count):
                walk(first + i, path)
        else:
            (doff,) = struct.unpack(">I", b[o + 10:o + 14])
            (size,) = struct.unpack(">I", b[data + doff:data + doff + 4])
            blob = b[data + doff + 4:data + doff + 4 + size]
            if flags & 1:  # zlib, prefixed by the uncompressed length
                blob = zlib.decompress(blob[4:])
            elif flags & 4:
                raise ValueError("zstd-compressed rcc entry not supported: " + path)
            out[path] = blob

    walk(0, "")
    return out


def check(path):
    info = {k: subprocess.run(["soxi", k, path], capture_output=True, text=True,
                              check=True).stdout.strip() for k in ("-r", "-c", "-b", "-s")}
    assert info == {"-r": str(RATE), "-c": "1", "-b": "16", "-s": str(SAMPLES)}, (path, info)
    stat = subprocess.run(["sox", path, "-n", "stat"], capture_output=True, text=True).stderr
    rms = float([l for l in stat.splitlines() if l.startswith("RMS     amplitude")][0].split()[-1])
    peak = max(abs(float([l for l in stat.splitlines() if l.startswith(k)][0].split()[-1]))
               for k in ("Maximum amplitude", "Minimum amplitude"))
    assert rms > 0.01, (path, "silent?", rms)
    print(f"ok {os.path.basename(path)}: peak {peak:.3f} rms {rms:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", help="work dir for .deb files (default: new temp dir)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "audio"))
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="prepare-audio-")
    os.makedirs(work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    root = fetch(work)
    rcc = read_rcc(os.path.join(root, GC_RCC))
    for out, kind, src, off in EXCERPTS:
        if kind == "rcc":
            path = os.path.join(work, os.path.basename(src))
            with open(path, "wb") as f:
                f.write(rcc[src])
        else:
            path = os.path.join(root, src)
        dst = os.path.join(a.out, out)
        run(["sox", "-D", path, "-b", "16", "-e", "signed-integer", dst,
             "remix", "-", "gain", "-3", "rate", "-v", str(RATE),
             "trim", f"{off:.2f}", f"{SAMPLES}s", "gain", "-n", "-1"])
        check(dst)


if __name__ == "__main__":
    main()
