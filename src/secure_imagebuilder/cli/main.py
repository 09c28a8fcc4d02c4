"""``secure-imagebuilder scan`` (and ``explain``, ``report``): argument parsing, the scan and exit codes.

Exit codes: 0 clean (warnings and acknowledged findings do not fail), 1 an unacknowledged error-level
finding remains, 2 a usage error or an input that cannot be read (the message names the path).
``explain`` and ``report`` read their inputs as ``scan`` does and exit 0 or 2: they report, never gate.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Sequence

from secure_imagebuilder.cli import answers, reports
from secure_imagebuilder.cli.inputs import InputError, Scanned, read
from secure_imagebuilder.rules.engine.run import Engine

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit")


def parser() -> argparse.ArgumentParser:
    """The command line of ``secure-imagebuilder``."""
    top = argparse.ArgumentParser(
        prog="secure-imagebuilder",
        description="Check CloudFormation templates against the EC2 Image Builder and IAM Roles Anywhere "
        "data-protection guidance (the rules of DataProtectionChecks).",
    )
    commands = top.add_subparsers(dest="command", required=True)
    scan = commands.add_parser("scan", help="scan templates and cloud assemblies")
    scan.add_argument(
        "paths", nargs="+", metavar="PATH", help="a template (JSON/YAML) or a cdk.out directory"
    )
    scan.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    scan.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    scan.add_argument("--fips", action="store_true", help="require FIPS endpoints (rule FIPS1)")
    _answers(commands)
    return top


def _answers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``explain`` and ``report``: the same inputs as ``scan`` (docs/explain.md)."""
    explain = commands.add_parser("explain", help="who can use each KMS key, how and under which conditions")
    report = commands.add_parser("report", help="an R1-R19 evidence report per stack, for an auditor")
    for command, formats in ((explain, answers.EXPLAIN_FORMATS), (report, answers.REPORT_FORMATS)):
        command.add_argument("paths", nargs="+", metavar="PATH", help="a template or a cdk.out directory")
        command.add_argument("--format", choices=formats, default=formats[0], help=f"default: {formats[0]}")
        command.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    report.add_argument("--fips", action="store_true", help="require FIPS endpoints (rule FIPS1, R7)")


def version() -> str:
    """The installed version of the package, or ``unknown`` when run from a source tree."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("cdk-secure-imagebuilder")
    except PackageNotFoundError:
        return "unknown"


def read_inputs(paths: Sequence[str], *, fips: bool) -> list[Scanned]:
    """Every PATH read; raises ``InputError`` listing every input that cannot be read."""
    scanned = [read(path, fips=fips) for path in paths]
    problems = [problem for item in scanned for problem in item.problems]
    if problems:
        raise InputError(problems)
    return scanned


def report(scanned: Sequence[Scanned], *, output_format: str) -> tuple[str, bool]:
    """The report of the stacks read and whether it fails (an unacknowledged error remains)."""
    engine = Engine()
    located: list[reports.Located] = []
    stacks = []
    for item in scanned:
        for stack in item.stacks:
            template = stack.template_path or item.path
            stacks.append((template, stack))
            lines = item.lines.get(template, {})
            for finding in engine.evaluate([stack]):
                logical_id = finding.resource.logical_id or ""
                line = lines.get(logical_id) or lines.get(stack.origins.get(logical_id, ""))
                located.append(reports.Located(finding, template, line))
    skipped = [skip for item in scanned for skip in item.skipped]
    count = len(stacks)
    if output_format == "json":
        body = reports.as_json(located, count, version(), skipped)
    elif output_format == "sarif":
        body = reports.sarif(located, version(), skipped)
    elif output_format == "junit":
        body = reports.junit(located, stacks, engine)
    else:
        body = reports.text(located, count, skipped)
    return body, reports.fails(located)


def scan(paths: Sequence[str], *, output_format: str, fips: bool) -> tuple[str, bool]:
    """The report and whether it fails; raises ``InputError`` for inputs that cannot be read."""
    return report(read_inputs(paths, fips=fips), output_format=output_format)


def overwritten_input(output: str, paths: Sequence[str], scanned: Sequence[Scanned] = ()) -> str | None:
    """The input that writing the report to ``output`` would overwrite, if any."""
    target = os.path.realpath(output)
    for path in paths:
        if os.path.realpath(path) == target:
            return path
    for item in scanned:
        if target in item.files:
            return output
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    try:
        _refuse_overwrite(args.output, args.paths)
        scanned = read_inputs(args.paths, fips=getattr(args, "fips", False))
        _refuse_overwrite(args.output, args.paths, scanned)
    except InputError as error:
        for problem in error.problems:
            print(f"secure-imagebuilder: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "explain":
        body, failed = answers.render_explain(scanned, args.format, version()), False
    elif args.command == "report":
        body, failed = answers.render_report(scanned, args.format, version()), False
    else:
        body, failed = report(scanned, output_format=args.format)
    if args.output:
        try:
            pathlib.Path(args.output).write_text(body, encoding="utf-8")
        except OSError as error:
            print(f"secure-imagebuilder: {args.output}: cannot write the report ({error})", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(body)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def _refuse_overwrite(output: str | None, paths: Sequence[str], scanned: Sequence[Scanned] = ()) -> None:
    overwritten = overwritten_input(output, paths, scanned) if output else None
    if overwritten:
        raise InputError([f"--output {output}: names the input {overwritten}; the report would overwrite it"])
