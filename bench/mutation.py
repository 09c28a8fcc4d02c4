"""Writes docs/mutation.md from the results of ``mutmut run`` (``make mutation``).

The score is killed / (killed + survived) over every mutant of the rule pack and the detector; mutants
that no test reaches count as survived (a line no test runs is a line a regression can change).
"""

from __future__ import annotations

import collections
import datetime
import subprocess
import sys

KILLED = ("killed", "timeout", "segfault")


def results() -> list[tuple[str, str]]:
    """(mutant name, status) for every mutant of the last run."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found.append((name, status.strip()))
    return found


def module_of(mutant: str) -> str:
    """``secure_imagebuilder.rules.kms.no_public_principal`` for one of its mutants."""
    return mutant.split(".x_", 1)[0].split(".x__", 1)[0]


def render(found: list[tuple[str, str]]) -> str:
    per: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name, status in found:
        per[module_of(name)]["killed" if status in KILLED else "survived"] += 1
    total = collections.Counter[str]()
    for counts in per.values():
        total.update(counts)
    score = total["killed"] / max(1, total["killed"] + total["survived"])
    lines = [
        "# Mutation score",
        "",
        f"<!-- Written by `make mutation` (bench/mutation.py) on {datetime.date.today()}; do not edit. -->",
        "",
        "mutmut 3 changes one operator, constant or call at a time in `src/secure_imagebuilder/rules/` and",
        "`src/secure_imagebuilder/core/detect.py`, and runs the pure-Python tests that reach the changed",
        "function (`tests/rules/`, `tests/core/`, and the scanner's in-process tests in `tests/cli/`).",
        "A mutant the tests do not notice *survived*.",
        "",
        f"**{total['killed']} of {total['killed'] + total['survived']} mutants killed: {score:.0%}.**",
        "",
        "| module | killed | survived | score |",
        "|---|---:|---:|---:|",
    ]
    for module, counts in sorted(per.items()):
        killed, survived = counts["killed"], counts["survived"]
        lines.append(f"| `{module}` | {killed} | {survived} | {killed / (killed + survived):.0%} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(results()), end="")
