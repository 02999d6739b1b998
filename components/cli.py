"""Command line: `plan` (and, as they land, `diff` and `doctor`); exit 0 ok, 1 negative answer, 2 invalid input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from components.settings import ConfigError

EXIT_OK, EXIT_NEGATIVE, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad flags as one contract-shaped line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m components", description="irsa: offline plan of the Pulumi program.")
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    plan = verbs.add_parser("plan", help="print every resource the program would register, offline")
    plan.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    plan.add_argument("--config", help="read this stack file instead of stacks/Pulumi.<stack>.yaml")
    plan.add_argument("--format", choices=("text", "json", "yaml"), default="text")
    return top


def plan_command(stack: str, config: str | None, fmt: str) -> int:
    from components import render
    from components.plan import run_plan
    from components.stackfile import load_settings

    settings = load_settings(stack, config)
    for warning in settings.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    result = run_plan(settings).to_dict()
    sys.stdout.write(render.FORMATS[fmt](result))
    return EXIT_OK


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    try:
        if args.verb == "plan":
            return plan_command(args.stack, args.config, args.format)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    return EXIT_INVALID
