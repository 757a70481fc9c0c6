"""Command-line front door: ``ggnc-theory <command>``.

The CLI is the only module of :mod:`ggnc_theory` allowed to import the other packages of the distribution
(``problems``, ``verify``, ``paper_checks``, ``figures``), and it does so lazily inside the subcommands.
Errors reach the user as one line on stderr and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Sequence

from ._version import __version__

__all__ = ["main", "build_parser"]

_LIST_TOPICS = ("norms", "algorithms", "newton-schulz", "problems", "all")


class CLIError(Exception):
    """A user error: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="ggnc-theory",
        description=(
            "Theory verification for Generalized Gradient Norm Clipping and non-Euclidean (L0,L1)-smoothness "
            "(Pethick et al., NeurIPS 2025)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"ggnc-theory {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_list = sub.add_parser(
        "list",
        help="list the geometries, algorithms, Newton–Schulz tables and problems",
        description="List what the toolkit provides: norm geometries (with their dual norms and lmo), "
        "algorithm factories (with their hyperparameters), Newton–Schulz coefficient tables "
        "(with the range of their singular-value map), and the problem families (with their geometry and "
        "certified constants).",
    )
    p_list.add_argument(
        "topic", nargs="?", default="all", choices=_LIST_TOPICS, help="what to list (default: all)"
    )
    return parser


def _list_norms(out) -> None:
    from . import norms

    print("Norm geometries (lmo = argmin over the ball, paper sign)", file=out)
    width = max(len(n) for n in norms.available())
    for name in norms.available():
        cls = norms.NORMS[name]
        print(f"  {name:<{width}}  {cls.formula}", file=out)


def _list_algorithms(out) -> None:
    from . import algorithms

    print("Algorithms (pure init/step pairs; use ggnc_theory.algorithms.<name>(...))", file=out)
    width = max(len(n) for n in algorithms.available())
    for name in algorithms.available():
        fn = algorithms.ALGORITHMS[name]
        params = [
            p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in inspect.signature(fn).parameters.values()
        ]
        doc = (inspect.getdoc(fn) or "").splitlines()[0]
        print(f"  {name:<{width}}  {name}({', '.join(params)})", file=out)
        print(f"  {'':<{width}}  {doc}", file=out)


def _list_newton_schulz(out) -> None:
    from . import newton_schulz as ns

    print("Newton–Schulz coefficient tables (φ = composed singular-value map, s = σ/‖G‖_F)", file=out)
    print(f"  {'name':<14} {'steps':>5} {'safety':>6}  {'φ on [0.1,1]':>16}  {'φ on [0.01,1]':>16}  source", file=out)
    for name in ns.available():
        t = ns.TABLES[name]
        r1 = ns.scalar_map_range(t, lo=0.1)
        r2 = ns.scalar_map_range(t, lo=0.01)
        print(
            f"  {name:<14} {t.default_steps:>5} {t.safety:>6.2f}  [{r1[0]:.3f}, {r1[1]:.3f}]  "
            f"[{r2[0]:.3f}, {r2[1]:.3f}]  {t.source}",
            file=out,
        )


def _list_problems(out) -> None:
    import problems

    print(
        "Problem families (default parameters; constants of Assumption 4.2 as printed, in the stated geometry)",
        file=out,
    )
    print(problems.table(), file=out)


def _cmd_list(args, out) -> int:
    sections = {
        "norms": _list_norms,
        "algorithms": _list_algorithms,
        "newton-schulz": _list_newton_schulz,
        "problems": _list_problems,
    }
    chosen = list(sections) if args.topic == "all" else [args.topic]
    for i, key in enumerate(chosen):
        if i:
            print(file=out)
        sections[key](out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ggnc-theory`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handlers = {"list": _cmd_list}
    try:
        return handlers[args.command](args, sys.stdout)
    except (CLIError, ValueError, FileNotFoundError) as exc:
        print(f"ggnc-theory {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
