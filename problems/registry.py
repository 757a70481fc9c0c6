r"""Registry of problem families: :func:`get`, :func:`available`, :func:`describe`, :func:`table`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import controls, matrix, scalar, vector
from ._base import Problem, constants_str, geometry_label

__all__ = ["Family", "FAMILIES", "available", "get", "describe", "table", "table_rows"]


@dataclass(frozen=True)
class Family:
    """A registered family: its factory, a one-line summary and the geometries it offers."""

    name: str
    factory: Callable[..., Problem]
    summary: str
    variants: tuple = ({},)  # parameter sets shown by table() (one per geometry/design of interest)
    negative_control: bool = False


_FAMILIES = [
    Family("abs_power", scalar.abs_power, "|x|^p on ℝ, p > 2"),
    Family("exp", scalar.exp, "exp(a·x) on ℝ (inf not attained)"),
    Family("logistic", scalar.logistic, "log(1 + exp(−a·x)) on ℝ", ({}, {"L1": 0.0})),
    Family("lse", vector.lse, "log Σ exp(x_i), ℓ∞ geometry"),
    Family("lp_norm", vector.lp_norm, "(1/p)‖x‖_p^p", ({"geometry": "l2"}, {"geometry": "linf"})),
    Family(
        "lp_regression",
        vector.lp_regression,
        "‖Ax − b‖_p^p, full row rank A",
        ({"geometry": "l2"}, {"geometry": "linf"}),
    ),
    Family(
        "sum_exp",
        vector.sum_exp,
        "Σ_i exp(a_iᵀx) (inf not attained)",
        ({"geometry": "linf"}, {"geometry": "l2"}, {"geometry": "linf", "design": "nonnegative", "m": 8}),
    ),
    Family(
        "softmax_regression",
        matrix.softmax_regression,
        "softmax regression, matrix parameter W",
        ({"geometry": "spectral"}, {"geometry": "linf"}),
    ),
    Family("quartic", matrix.quartic, "¼‖XᵀX − I‖_F², spectral geometry"),
    Family("matrix_factorization", matrix.matrix_factorization, "½‖UVᵀ − M‖_F² in U (V fixed), spectral"),
    Family("neg_log", controls.neg_log, "−log x on x > 0 (negative control)", negative_control=True),
    Family("exp_square", controls.exp_square, "exp(x²) (negative control)", negative_control=True),
    Family(
        "matrix_factorization_uv",
        controls.matrix_factorization_uv,
        "½‖UVᵀ − M‖_F² in (U, V) (negative control)",
        negative_control=True,
    ),
]

FAMILIES: Mapping[str, Family] = MappingProxyType({f.name: f for f in _FAMILIES})


def available(*, controls: bool = True) -> list[str]:
    """Registered family names (``controls=False`` drops the negative controls)."""
    return [f.name for f in _FAMILIES if controls or not f.negative_control]


def get(name: str, **params: Any) -> Problem:
    """Build a problem by family name, e.g. ``get("lp_norm", p=4, d=20, geometry="linf")``.

    Randomised families take ``seed=`` (int) or ``rng=`` (``numpy.random.Generator``); the default is seed 0.
    Unknown names or parameters raise ``ValueError``.
    """
    try:
        fam = FAMILIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"name: unknown problem family {name!r}; available: {', '.join(available())}") from None
    try:
        return fam.factory(**params)
    except TypeError as exc:
        raise ValueError(f"problem {name!r}: {exc}") from None


def describe(name: str, **params: Any) -> str:
    """One line for an instance: name, geometry, (L0, L1), L and f_star."""
    return get(name, **params).describe()


def table_rows(*, controls: bool = True) -> list[dict]:
    """One row per (family, default variant): geometry, constants and how they were derived."""
    rows = []
    for fam in _FAMILIES:
        if fam.negative_control and not controls:
            continue
        for variant in fam.variants:
            p = fam.factory(**variant)
            rows.append(
                {
                    "family": fam.name,
                    "instance": p.name,
                    "geometry": geometry_label(p.norm),
                    "L0": p.L0,
                    "L1": p.L1,
                    "L": p.L,
                    "f_star": p.f_star,
                    "f_star_attained": p.f_star_attained,
                    "hypotheses": sorted(p.hypotheses),
                    "summary": fam.summary,
                    "derivation": p.derivation,
                    "line": f"{fam.name:<24} {p.name:<46} {geometry_label(p.norm):<26} {constants_str(p)}",
                }
            )
    return rows


def table(*, controls: bool = True) -> str:
    """The family table as text (one line per family variant), for ``ggnc-theory list problems``."""
    return "\n".join(r["line"] for r in table_rows(controls=controls))
