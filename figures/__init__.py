"""Figures: one function per figure returning plot-ready data, and a separate matplotlib renderer.

* :mod:`figures.data` — one function per figure (``rates``, ``separation``, ``slack``, ``stochastic``,
  ``rho_sweep``, ``estimation``, ``newton_schulz``), each returning a :class:`~figures.data.FigureData`
  (dicts of NumPy arrays, labels, and metadata including seeds); no matplotlib import.
* :mod:`figures.render` — the matplotlib renderers (Agg back end, Okabe–Ito palette), imported lazily; files
  are written atomically with the caption and seeds in the metadata and a sidecar JSON.
* :func:`generate` — data + render for a selection of figures; ``ggnc-theory figures`` calls it.

The registry :data:`FIGURES` maps names to (paper figure number, data function, file stem, claim). Figure 6
comes twice: ``estimation`` on certified suite problems (estimates against known constants) and
``estimation-checkpoint`` per layer and global for the demo checkpoint (``ggnc-theory estimate --demo``; needs
the ``demo`` extra). The committed default set is in ``figures/gallery/``.
"""

from __future__ import annotations

__distribution__ = "ggnc-theory"

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FIGURES", "FigureSpec", "GALLERY", "available", "generate"]

#: The directory of the committed default figures.
GALLERY = Path(__file__).resolve().parent / "gallery"


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure: its number, data function name, file stem and the claim it supports."""

    number: int
    name: str
    function: str
    stem: str
    claim: str

    def data(self, small: bool = False, seed: int = 0):
        from . import data as _data

        return getattr(_data, self.function)(small=small, seed=seed)


FIGURES: dict[str, FigureSpec] = {
    s.name: s
    for s in (
        FigureSpec(1, "rates", "rates", "fig1_rates",
                   "Thm 4.3 (printed/corrected), Thm 4.5, Prop 4.1, poster SD rate"),
        FigureSpec(2, "separation", "separation", "fig2_separation",
                   "rebuttal: fixed-step separation of GGNC (Thm 4.3) and uCG (Thm 4.5)"),
        FigureSpec(3, "slack", "slack", "fig3_slack", "Thm 4.3 per-step descent inequality"),
        FigureSpec(4, "stochastic", "stochastic", "fig4_stochastic", "Thm 4.9 O(n^-1/4) rate"),
        FigureSpec(5, "rho-sweep", "rho_sweep", "fig5_rho_sweep",
                   "rebuttal/Fig. 11: clipping beats both CG (ρ=0) and SD (ρ=∞)"),
        FigureSpec(6, "estimation", "estimation", "fig6_estimation",
                   "ANCHORS §6: empirical (L0,L1) estimation; Assumption 4.2"),
        FigureSpec(6, "estimation-checkpoint", "estimation_checkpoint", "fig6_estimation_checkpoint",
                   "ANCHORS §6: (L0,L1) per layer and global (product-norm view) for the demo checkpoint"),
        FigureSpec(7, "newton-schulz", "newton_schulz", "fig7_newton_schulz",
                   "SPEC §5.2 / ANCHORS §5: NS tables and the clip statistic"),
    )
}


def available() -> list[str]:
    """Registered figure names, in figure-number order."""
    return list(FIGURES)


def generate(
    names: Sequence[str] | None = None,
    out: str | os.PathLike = GALLERY,
    fmt: str = "png",
    *,
    small: bool = False,
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Compute and render the figures ``names`` (default: all) into the directory ``out``.

    Returns the written paths (images and sidecar JSON). ``ValueError`` for an unknown name, an unknown format
    or an ``out`` that is not an existing directory (checked before any work).
    """
    from .render import FORMATS, render

    names = available() if names is None else list(names)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(
            f"unknown figure {', '.join(repr(u) for u in unknown)}; available: {', '.join(available())}"
        )
    if fmt not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    out = Path(out)
    if not out.is_dir():
        raise ValueError(f"output path {str(out)!r} is not an existing directory")
    written: list[Path] = []
    for i, name in enumerate(names):
        if progress:
            progress(i, len(names), name)
        spec = FIGURES[name]
        written += render(spec.data(small=small, seed=seed), out / f"{spec.stem}.{fmt}", fmt, small=small)
    if progress:
        progress(len(names), len(names), "done")
    return written
