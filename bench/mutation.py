"""The mutation run's selection and its report, docs/mutation.md (``make mutation``).

A full run takes many hours on two cores: a mutant that survives costs every test that reaches its
function, and the rule tests reach most of the engine. ``python bench/mutation.py select`` prints a seeded
random sample of each module's mutants that have not run yet (``MUTATION_SAMPLE``, a fraction, default
0.1; 1 runs them all); ``python bench/mutation.py`` writes the report of what ran.

The score is killed / (killed + survived) over the mutants that ran; a mutant no test reaches counts as
survived (a line no test runs is a line a regression can change). Mutants not run are counted apart, never
as killed, and the estimate over all mutants weighs each module's score by its number of mutants.
"""

from __future__ import annotations

import collections
import datetime
import os
import random
import subprocess
import sys

KILLED = ("killed", "timeout", "segfault")
NOT_RUN = "not checked"
SEED = 20261205


def results() -> list[tuple[str, str]]:
    """(mutant name, status) for every mutant mutmut generated."""
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
    return mutant.split(".x_", 1)[0].split(".xǁ", 1)[0]


def select(found: list[tuple[str, str]], fraction: float) -> list[str]:
    """A seeded random ``fraction`` of each module's mutants that have not run."""
    waiting: dict[str, list[str]] = collections.defaultdict(list)
    for name, status in found:
        if status == NOT_RUN:
            waiting[module_of(name)].append(name)
    sampler = random.Random(SEED)
    chosen = []
    for module in sorted(waiting):
        names = sorted(waiting[module])
        chosen.extend(sampler.sample(names, round(len(names) * fraction)))
    return chosen


def render(found: list[tuple[str, str]]) -> str:
    per: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name, status in found:
        outcome = "killed" if status in KILLED else "not run" if status == NOT_RUN else "survived"
        per[module_of(name)][outcome] += 1
    total = collections.Counter[str]()
    for counts in per.values():
        total.update(counts)
    ran = total["killed"] + total["survived"]
    estimate = sum(
        sum(counts.values()) * counts["killed"] / (counts["killed"] + counts["survived"])
        for counts in per.values()
        if counts["killed"] + counts["survived"]
    ) / max(
        1,
        sized := sum(
            sum(counts.values()) for counts in per.values() if counts["killed"] + counts["survived"]
        ),
    )
    lines = [
        "# Mutation score",
        "",
        f"<!-- Written by `make mutation` (bench/mutation.py) on {datetime.date.today()}; do not edit. -->",
        "",
        "mutmut 3 changes one operator, constant or call at a time in `src/secure_imagebuilder/rules/`",
        "and `src/secure_imagebuilder/core/detect.py`, and runs the pure-Python tests that reach the",
        "changed function (`tests/rules/`, including the nag case tables frozen as cloud assemblies,",
        "`tests/core/`, and the scanner's in-process tests in `tests/cli/`). A mutant the tests do not",
        "notice *survived*; one no test reaches counts as survived too.",
        "",
        "A full run takes many hours on two cores, so modules may be sampled (`bench/mutation.py select`):",
        "a row with mutants *not run* is an estimate from those that ran.",
        "",
        f"**{total['killed']} of the {ran} mutants that ran were killed: "
        f"{total['killed'] / max(1, ran):.0%}; "
        f"over the {sized} mutants of the modules that ran, weighing each by its size: {estimate:.0%}** "
        f"({total['not run']} not run).",
        "",
        "| module | killed | survived | not run | score |",
        "|---|---:|---:|---:|---:|",
    ]
    for module, counts in sorted(per.items()):
        killed, survived = counts["killed"], counts["survived"]
        score = f"{killed / (killed + survived):.0%}" if killed + survived else "-"
        lines.append(f"| `{module}` | {killed} | {survived} | {counts['not run']} | {score} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["select"]:
        print("\n".join(select(results(), float(os.environ.get("MUTATION_SAMPLE", "0.1")))))
    else:
        print(render(results()), end="")
