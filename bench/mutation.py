"""The mutation run's selection and its report, docs/mutation.md (``make mutation``).

``python bench/mutation.py select`` prints the mutants to run: every mutant of the rule checks, the
detector and the smaller engine modules, and a seeded random sample (``MUTATION_SAMPLE``, a fraction,
default 0.06; 1 runs them all) of the four engine modules every test reaches (values, policy, evaluator,
access), whose surviving mutants each cost the whole pure-Python suite (about a minute under mutmut).
``python bench/mutation.py`` writes the report of the last run.

The score is killed / (killed + survived) over the mutants that ran; a mutant no test reaches counts as
survived (a line no test runs is a line a regression can change). Mutants not run (outside the sample)
are counted apart, never as killed.
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
SAMPLED = tuple(
    f"secure_imagebuilder.rules.engine.{name}" for name in ("values", "policy", "evaluator", "access")
)
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
    """The mutants to run: all but those of :data:`SAMPLED`, of which a seeded sample of ``fraction``."""
    chosen, by_module = [], collections.defaultdict(list)
    for name, _ in found:
        if module_of(name) in SAMPLED:
            by_module[module_of(name)].append(name)
        else:
            chosen.append(name)
    sampler = random.Random(SEED)
    for module in SAMPLED:
        names = sorted(by_module[module])
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
        "Every mutant of the rule checks, the detector and the smaller engine modules ran. Of the four",
        "engine modules every test reaches (`values`, `policy`, `evaluator`, `access`), a seeded random",
        "sample ran (`bench/mutation.py select`): their rows are estimates; *not run* counts the rest.",
        "",
        f"**{total['killed']} of {ran} mutants that ran were killed: {total['killed'] / max(1, ran):.0%}** "
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
        print("\n".join(select(results(), float(os.environ.get("MUTATION_SAMPLE", "0.06")))))
    else:
        print(render(results()), end="")
