"""The scanner over a directory of public templates: no crash, and its time beside cfn-lint's and checkov's.

A manual check, not part of ``make bench`` (the templates are public repositories' content, which stays out
of this repository): ``python bench/public_scan.py DIR`` scans every ``.json``/``.yaml``/``.yml``/
``.template`` file under DIR, each in this process (``main(["scan", path])``), and prints how many exited
0 (clean), 1 (findings) or 2 (refused, with our one-line message), and every file whose scan raised or
printed a traceback: that list must be empty. Then it times one process over all the files for each tool
(``--compare``; checkov with ``--skip-download``), on the files the scanner read (exit 0 or 1).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import pathlib
import subprocess
import sys
import tempfile
import time

from secure_imagebuilder.cli.main import main

SUFFIXES = {".json", ".yaml", ".yml", ".template"}


def templates(root: pathlib.Path) -> list[pathlib.Path]:
    """Every candidate template file under ``root``, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def scan_each(
    paths: list[pathlib.Path],
) -> tuple[collections.Counter[int], list[str], float, list[pathlib.Path]]:
    """Exit codes, files whose scan crashed, the time of scanning each in this process, the files read.

    The files read are those that exit 0 or 1: one refused file ends a scan of many with exit 2, so the
    timed comparison runs over these.
    """
    codes: collections.Counter[int] = collections.Counter()
    crashed = []
    read = []
    start = time.perf_counter()
    for path in paths:
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = main(["scan", str(path)])
        except BaseException as error:  # any escape is the crash being counted
            crashed.append(f"{path}: {type(error).__name__}: {error}"[:300])
            continue
        codes[code] += 1
        if code in (0, 1):
            read.append(path)
        if "Traceback" in stderr.getvalue() or code not in (0, 1, 2):
            crashed.append(f"{path}: exit {code}: {stderr.getvalue()[-200:]}")
    return codes, crashed, time.perf_counter() - start, read


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def compare(paths: list[pathlib.Path]) -> dict[str, float]:
    """One process per tool over the same files (checkov reads a directory: the files are linked into one)."""
    bin_dir = pathlib.Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as scratch:
        folder = pathlib.Path(scratch)
        for index, path in enumerate(paths):
            (folder / f"{index:05d}{path.suffix}").symlink_to(path.resolve())
        files = [str(p) for p in sorted(folder.iterdir())]
        return {
            "secure-imagebuilder scan": timed([str(bin_dir / "secure-imagebuilder"), "scan", *files]),
            "cfn-lint": timed([str(bin_dir / "cfn-lint"), *files]),
            "checkov": timed(
                [
                    str(bin_dir / "checkov"),
                    "--skip-download",
                    "--quiet",
                    "--framework",
                    "cloudformation",
                    "-d",
                    scratch,
                ]
            ),
        }


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--compare", action="store_true", help="also time cfn-lint and checkov")
    args = parser.parse_args()
    paths = templates(args.root)
    codes, crashed, seconds, read = scan_each(paths)
    print(f"{len(paths)} files in {seconds:.1f} s ({1000 * seconds / max(1, len(paths)):.1f} ms each)")
    print("exit codes:", dict(sorted(codes.items())))
    print(f"crashed: {len(crashed)}")
    for line in crashed:
        print("  " + line)
    if args.compare:
        print(f"one process per tool over the {len(read)} files it read:")
        for tool, took in compare(read).items():
            print(f"{tool}: {took:.1f} s")


if __name__ == "__main__":
    run()
