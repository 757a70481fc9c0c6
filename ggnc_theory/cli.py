"""Command-line front door: ``ggnc-theory <command>``.

The CLI is the only module of :mod:`ggnc_theory` allowed to import the other packages of the distribution
(``problems``, ``verify``, ``paper_checks``, ``figures``), and it does so lazily inside the subcommands.
Errors reach the user as one line on stderr and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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

    p_check = sub.add_parser(
        "check",
        help="run the paper's claims as checks and report PASS / ERRATUM / SKIP / FAIL",
        description="Run the paper's claims (theorems, Table 1, the rebuttal's separation) on test problems "
        "and print one row per claim × problem × setting: measured value, bound, ratio and verdict. "
        "ERRATUM: the statement as printed is violated or inconsistent while its correction holds; "
        "FAIL: violated with its hypotheses holding. Exit code 0 iff no row FAILs (2 on a usage error).",
    )
    p_check.add_argument("--quick", action="store_true", help="small settings (well under a minute)")
    p_check.add_argument(
        "--only",
        action="append",
        metavar="ID",
        help="run only this claim id (repeatable, or comma-separated; see --list)",
    )
    p_check.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of every random draw (Table 1 inputs, stochastic oracles; default 0)"
    )
    p_check.add_argument("--json", metavar="PATH", help="write the full records as JSON (deterministic)")
    p_check.add_argument("--markdown", metavar="PATH", help="write the report table as Markdown")
    p_check.add_argument("--list", action="store_true", help="list the claim ids and exit")

    p_fig = sub.add_parser(
        "figures",
        help="regenerate the figures (rates vs bounds, separation, descent slack, stochastic, ρ sweep, NS)",
        description="Compute and render the figures of the toolkit (see figures/README.md): each is written "
        "atomically as <out>/figN_<name>.<format> with a sidecar JSON of its caption, parameters and seeds. "
        "Exit code 0 on success, 2 on a usage error (unknown name, output path not a directory).",
    )
    p_fig.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="render only this figure (repeatable, or comma-separated; see --list)",
    )
    p_fig.add_argument(
        "--out", metavar="DIR", default=None, help="output directory (must exist; default: figures/gallery/)"
    )
    p_fig.add_argument(
        "--format", default="png", choices=("png", "pdf", "svg"), help="image format (default png)"
    )
    p_fig.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of every random draw (default 0)"
    )
    p_fig.add_argument("--small", action="store_true", help="tiny settings and resolution (for tests)")
    p_fig.add_argument("--list", action="store_true", help="list the figure names and exit")

    p_est = sub.add_parser(
        "estimate",
        help="estimate (L0, L1) per layer and globally from a PyTorch checkpoint (needs torch)",
        description="Checkpoint mode: load a model (--model pkg.module:factory, a zero-argument callable returning "
        "an nn.Module) and its weights (--checkpoint: .safetensors or a torch.save'd state dict, loaded with "
        "weights_only=True; pickles needing arbitrary code are refused), sample (‖∇f‖_*, L̂) pairs per layer "
        "in Scion's geometries and globally in the product geometry GGNC clips in, fit L0, L1 with bootstrap "
        "CIs, the log-log slope and a verdict. Writes <out>/estimate.json and <out>/estimate.csv atomically "
        "and prints a summary table. Exit code 0 on success, 2 on a usage error.",
    )
    p_est.add_argument("--model", metavar="MOD:FACTORY", help="zero-argument callable returning the nn.Module")
    p_est.add_argument("--checkpoint", metavar="FILE", help="weights: .safetensors or torch.save(state_dict)")
    p_est.add_argument(
        "--data", metavar="MOD:BATCHES",
        help="an iterable of (inputs, targets) batches, or a zero-argument callable returning one",
    )
    p_est.add_argument(
        "--loss", metavar="MOD:FN", default=None, help="loss(output, targets) -> scalar (default: cross-entropy)"
    )
    p_est.add_argument(
        "--geometry", default="scion", choices=("scion", "spectral", "l2"), help="per-layer geometry (default scion)"
    )
    p_est.add_argument("--layers", metavar="REGEX", default=None, help="only parameters whose name matches")
    p_est.add_argument("--samples", type=int, default=6, metavar="N", help="base points (default 6)")
    p_est.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random directions (default 0)")
    p_est.add_argument(
        "--newton-schulz", action="store_true",
        help="spectral blocks via Newton–Schulz instead of the exact SVD (reports the NS/SVD dual ratio)",
    )
    p_est.add_argument(
        "--device", metavar="DEV", default=None,
        help="torch device to estimate on, e.g. cpu, cuda, cuda:1 (default: where --model puts the model)",
    )
    p_est.add_argument("--out", metavar="DIR", default=".", help="existing output directory (default: .)")
    p_est.add_argument(
        "--demo", action="store_true",
        help="embedded demo: train a small MLP with GGNC (Scion geometry) on scikit-learn's digits, save it and "
        "estimate from the checkpoint (needs the 'demo' extra: pip install 'ggnc-theory[demo]')",
    )
    p_est.add_argument("--demo-steps", type=int, default=300, metavar="N", help="demo training steps (default 300)")
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


# --------------------------------------------------------------------------------------------- check
_CHECK_SCHEMA = "ggnc-theory/paper-checks/1"
_CHECK_COLUMNS = ("claim", "source", "problem", "measured", "bound", "ratio", "verdict")


def _num(v) -> str:
    if isinstance(v, str):  # non-finite values as serialised ("nan", "inf")
        return "—" if v == "nan" else v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.4g}"


def _check_target(path: str | None, option: str) -> Path | None:
    """Validate an output path before any work is done (clear error, exit 2)."""
    if path is None:
        return None
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise CLIError(f"{option}: directory {str(parent)!r} does not exist")
    if target.is_dir():
        raise CLIError(f"{option}: {path!r} is a directory")
    return target


def _write_atomic(target: Path, text: str) -> None:
    """Write to a temporary file next to ``target`` and rename it: never a partial file."""
    from ._io import atomic_write_text

    atomic_write_text(target, text)


def _progress(i: int, total: int, label: str, err) -> None:
    width = 24
    done = width * i // total if total else width
    print(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total} {label:<24}", end="", file=err, flush=True)
    if i == total:
        print(file=err, flush=True)


def _selected_claims(only, paper_checks) -> list[str]:
    if not only:
        return paper_checks.available()
    ids = [i.strip() for item in only for i in item.split(",") if i.strip()]
    unknown = [i for i in ids if i not in paper_checks.CLAIMS]
    if unknown:
        raise CLIError(
            f"--only: unknown claim id {', '.join(repr(u) for u in unknown)}; "
            f"available: {', '.join(paper_checks.available())}"
        )
    return [i for i in paper_checks.available() if i in ids]


def _table_lines(records: list[dict]) -> list[str]:
    cells = [
        (
            r["claim"],
            r["source"],
            f"{r['problem']} ({r['setting']})",
            _num(r["measured"]),
            _num(r["bound"]),
            _num(r["ratio"]),
            r["verdict"],
        )
        for r in records
    ]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(_CHECK_COLUMNS)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(_CHECK_COLUMNS, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return out


def _summary(records: list[dict], verdicts) -> dict:
    return {v: sum(1 for r in records if r["verdict"] == v) for v in verdicts}


def _markdown(doc: dict, records: list[dict]) -> str:
    def esc(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "# ggnc-theory check",
        "",
        f"ggnc-theory {doc['version']}, seed {doc['seed']}, {'quick' if doc['quick'] else 'full'} settings. "
        + ", ".join(f"{k}: {v}" for k, v in doc["summary"].items()),
        "",
        "| claim | source | problem | setting | measured | bound | ratio | verdict |",
        "|---|---|---|---|---:|---:|---:|---|",
    ]
    for r in records:
        lines.append(
            "| "
            + " | ".join(
                esc(x)
                for x in (
                    r["claim"],
                    r["source"],
                    r["problem"],
                    r["setting"],
                    _num(r["measured"]),
                    _num(r["bound"]),
                    _num(r["ratio"]),
                    f"**{r['verdict']}**",
                )
            )
            + " |"
        )
    notes = [r for r in records if r["verdict"] != "PASS"]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [
            f"- `{r['claim']}` on {esc(r['problem'])} ({esc(r['setting'])}): "
            f"{r['verdict']} — {esc(r['reason'])}"
            for r in notes
        ]
    return "\n".join(lines) + "\n"


def _cmd_check(args, out) -> int:
    import paper_checks

    if args.list:
        width = max(len(i) for i in paper_checks.available())
        for cid in paper_checks.available():
            c = paper_checks.get(cid)
            print(f"{cid:<{width}}  {c.source:<8}  {c.title}", file=out)
        return 0
    ids = _selected_claims(args.only, paper_checks)
    json_target = _check_target(args.json, "--json")
    md_target = _check_target(args.markdown, "--markdown")

    claims, records = [], []
    err = sys.stderr
    for i, cid in enumerate(ids):
        _progress(i, len(ids), cid, err)
        claim = paper_checks.get(cid)
        rows = [r.to_dict() for r in claim.run(quick=args.quick, seed=args.seed)]
        claims.append({"id": cid, "source": claim.source, "title": claim.title, "rows": rows})
        records.extend(rows)
    _progress(len(ids), len(ids), "done", err)

    summary = _summary(records, paper_checks.VERDICTS)
    code = 1 if summary[paper_checks.FAIL] else 0
    doc = {
        "schema": _CHECK_SCHEMA,
        "version": __version__,
        "seed": args.seed,
        "quick": bool(args.quick),
        "claims": claims,
        "summary": summary,
        "exit_code": code,
    }
    for line in _table_lines(records):
        print(line, file=out)
    print(file=out)
    print(f"{len(records)} rows: " + ", ".join(f"{k} {v}" for k, v in summary.items()), file=out)
    for r in records:
        if r["verdict"] in (paper_checks.FAIL, paper_checks.SKIP):
            print(f"  {r['verdict']} {r['claim']} on {r['problem']}: {r['reason']}", file=out)
    if json_target is not None:
        text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        _write_atomic(json_target, text)
    if md_target is not None:
        _write_atomic(md_target, _markdown(doc, records))
    return code


# --------------------------------------------------------------------------------------------- figures
def _cmd_figures(args, out) -> int:
    import figures

    if args.list:
        width = max(len(n) for n in figures.available())
        swidth = max(len(s.stem) for s in figures.FIGURES.values())
        for name in figures.available():
            spec = figures.FIGURES[name]
            print(f"{spec.number}  {name:<{width}}  {spec.stem:<{swidth}}  {spec.claim}", file=out)
        return 0
    names = figures.available()
    if args.only:
        ids = [i.strip() for item in args.only for i in item.split(",") if i.strip()]
        unknown = [i for i in ids if i not in figures.FIGURES]
        if unknown:
            raise CLIError(
                f"--only: unknown figure {', '.join(repr(u) for u in unknown)}; "
                f"available: {', '.join(figures.available())}"
            )
        names = [n for n in names if n in ids]
    target = Path(args.out) if args.out is not None else figures.GALLERY
    if not target.is_dir():
        what = "is not a directory" if target.exists() else "does not exist"
        raise CLIError(f"--out: {str(target)!r} {what}")
    err = sys.stderr
    written = figures.generate(
        names, target, args.format, small=args.small, seed=args.seed,
        progress=lambda i, total, label: _progress(i, total, label, err),
    )
    for path in written:
        print(path, file=out)
    return 0


def _resolve(spec: str | None, option: str):
    """``pkg.module:attr`` → the object (clear one-line errors)."""
    import importlib

    if not spec:
        raise CLIError(f"{option} is required (pkg.module:name)")
    mod_name, sep, attr = spec.partition(":")
    if not sep or not mod_name or not attr:
        raise CLIError(f"{option}: expected pkg.module:name, got {spec!r}")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as exc:
        raise CLIError(f"{option}: cannot import {mod_name!r} ({exc})") from None
    obj = mod
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise CLIError(f"{option}: module {mod_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    return obj


def _torch_device(spec: str) -> Any:
    """``--device`` as a torch.device that exists on this machine (a CLIError otherwise)."""
    import torch

    try:
        dev = torch.device(spec)
    except (RuntimeError, ValueError) as exc:
        raise CLIError(f"--device: {spec!r} is not a torch device ({exc})") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise CLIError(f"--device: {spec!r} asks for CUDA, which is not available on this machine")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise CLIError(f"--device: {spec!r}, but this machine has {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise CLIError(f"--device: {spec!r} asks for Apple MPS, which is not available on this machine")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise CLIError(f"--device: {spec!r}: only cpu, cuda[:N] and mps are supported")
    return dev


def _cmd_estimate(args, out) -> int:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise CLIError("needs PyTorch: pip install 'ggnc-theory[torch]'")
    target = Path(args.out)
    if not target.is_dir():
        raise CLIError(f"--out: {str(target)!r} {'is not a directory' if target.exists() else 'does not exist'}")
    if args.samples < 1:
        raise CLIError(f"--samples must be ≥ 1, got {args.samples}")
    err = sys.stderr
    if args.demo:
        if args.model or args.checkpoint or args.data or args.loss or args.device:
            raise CLIError("--demo takes no --model, --checkpoint, --data, --loss or --device (it runs on the CPU)")
        if args.demo_steps < 1:
            raise CLIError(f"--demo-steps must be ≥ 1, got {args.demo_steps}")
        from verify._demo import run_demo
        from verify.checkpoint import summary_table

        report = run_demo(
            target, steps=args.demo_steps, samples=args.samples, seed=args.seed,
            progress=lambda i, total, label: _progress(i, total, label, err), log=lambda m: print(m, file=err),
        )
        print(summary_table(report), file=out)
        print(target / "estimate.json", file=out)
        print(target / "estimate.csv", file=out)
        return 0
    factory = _resolve(args.model, "--model")
    data = _resolve(args.data, "--data")
    loss = _resolve(args.loss, "--loss") if args.loss else None
    if args.checkpoint is None:
        raise CLIError("--checkpoint is required")
    if not Path(args.checkpoint).is_file():
        raise CLIError(f"--checkpoint: {args.checkpoint!r} does not exist")
    import torch

    from verify.checkpoint import estimate, load_checkpoint, summary_table

    device = _torch_device(args.device) if args.device is not None else None
    model = factory() if callable(factory) and not isinstance(factory, torch.nn.Module) else factory
    if not isinstance(model, torch.nn.Module):
        raise CLIError(f"--model: {args.model!r} did not give an nn.Module (got {type(model).__name__})")
    load_checkpoint(model, args.checkpoint)
    if device is not None:
        model.to(device)  # the estimator follows the parameters; batches are moved to them
    batches = data() if callable(data) else data
    try:
        report = estimate(
            model, loss, batches, geometry=args.geometry, layers=args.layers, samples=args.samples,
            seed=args.seed, method="newton_schulz" if args.newton_schulz else "svd",
            progress=lambda i, total, label: _progress(i, total, label, err),
        )
    except (RuntimeError, TypeError) as exc:  # the model, the loss and the batches do not fit together
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CLIError(f"evaluating the model on --data failed: {type(exc).__name__}: {first}") from None
    pj, pc = report.write(target)
    print(summary_table(report), file=out)
    print(pj, file=out)
    print(pc, file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ggnc-theory`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handlers = {"list": _cmd_list, "check": _cmd_check, "figures": _cmd_figures, "estimate": _cmd_estimate}
    try:
        return handlers[args.command](args, sys.stdout)
    except (CLIError, ValueError, FileNotFoundError) as exc:
        print(f"ggnc-theory {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
