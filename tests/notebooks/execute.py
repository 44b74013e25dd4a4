#!/usr/bin/env python3
"""Execute the book's evcxr notebooks headlessly and fail on any cell error.

    python3 tests/notebooks/execute.py OUT_DIR NOTEBOOK...

Each notebook runs with the `rust` (evcxr) kernel, in the folder it lives in (so its `:dep` paths
resolve), with a generous timeout per cell (the first cell compiles the book's libraries). The
executed copies, with outputs, are written to OUT_DIR; the committed notebooks stay output-free.
`jupyter nbconvert --execute` hides evcxr's compiler errors, so this prints them itself.
"""
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    # evcxr's compiled-dependency cache (`:cache`), kept in the run's own folder rather than the
    # reader's ~/.cache/evcxr: a cache that other evcxr sessions filled and evicted from can hold
    # dependents of a crate without the crate, and rustc then refuses them.
    cache = (out_dir / "evcxr-cache").resolve()
    failed = 0
    for name in sys.argv[2:]:
        path = Path(name).resolve()
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, kernel_name="rust", timeout=1800, resources={"metadata": {"path": str(path.parent)}}
        )
        # evcxr builds in a temporary folder that it leaves behind when the kernel is shut down
        # (hundreds of MB per notebook, a GB or more for one that compiles candle): give each
        # kernel its own and remove it afterwards, so a long run does not fill the disk. It must
        # lie outside the repository, or cargo takes evcxr's crate for a stray workspace member.
        scratch = Path(tempfile.mkdtemp(prefix=f"notebook-{path.stem}-"))
        started = time.monotonic()
        try:
            client.execute(env=kernel_env(scratch, cache))
            status = "ok"
        except CellExecutionError as err:
            failed += 1
            status = "FAILED"
            print(f"{path.name}: a cell failed:\n{err}", file=sys.stderr)
            print_failed_outputs(nb, path.name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        elapsed = time.monotonic() - started
        images = sum(
            1
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if any(k.startswith("image/") for k in output.get("data", {}))
        )
        errors = [
            output
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        if errors and status == "ok":
            failed += 1
            status = "FAILED"
            for e in errors:
                print(f"{path.name}: {e.get('ename')}: {e.get('evalue')}", file=sys.stderr)
        nbformat.write(nb, out_dir / path.name)
        print(f"notebook {path.name}: {status} in {elapsed:.0f} s, {images} inline figures")
        print(f"    {cell_times(nb)}; {shutil.disk_usage(out_dir).free / 1e9:.1f} GB free")
    return 1 if failed else 0


def kernel_env(scratch, cache):
    """The kernel's environment: this process's, with its own temporary folder and cache.

    CARGO_INCREMENTAL=1 whatever the caller set (CI sets 0): evcxr's `:cache` keys a compilation
    by rustc's command line alone, not by the source, and caches every compilation that is not
    incremental. Without incremental builds it caches the notebook's own cells too, and a later
    notebook's cell `code_3` gets an earlier notebook's `code_3` back from the cache ("dlsym
    failed"), as it would a stale build of the book's libraries after an edit.
    """
    return dict(os.environ, TMPDIR=str(scratch), XDG_CACHE_HOME=str(cache), CARGO_INCREMENTAL="1")


def print_failed_outputs(nb, name: str) -> None:
    """Everything the failing cell printed. evcxr reports a failed build or a crashed child
    process partly on stderr and partly in the error's traceback, which CellExecutionError's
    message can leave out; without this, a failure in CI can read as an empty error."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        if not any(o.get("output_type") == "error" for o in outputs):
            continue
        for output in outputs:
            kind = output.get("output_type")
            if kind == "stream":
                text = output.get("text", "")
            elif kind == "error":
                text = "\n".join(
                    [f"{output.get('ename')}: {output.get('evalue')}"] + output.get("traceback", [])
                )
            else:
                text = output.get("data", {}).get("text/plain", "")
            print(f"{name}: [{kind}] {text}", file=sys.stderr)


def cell_times(nb) -> str:
    """The first cell's time (it compiles the book's libraries) and the others', from the
    timestamps nbclient records, so a slow cell shows which one it is."""
    times = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        start, end = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            seconds = (parse_time(end) - parse_time(start)).total_seconds()
            times.append((seconds, index))
    if not times:
        return "no cell timings recorded"
    first, rest = times[0], times[1:]
    text = f"first cell {first[0]:.1f} s"
    if rest:
        slowest = max(rest)
        text += (
            f"; {len(rest)} other cells {sum(t for t, _ in rest):.1f} s in all, "
            f"slowest {slowest[0]:.1f} s (cell {slowest[1]})"
        )
    return text


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


if __name__ == "__main__":
    sys.exit(main())
