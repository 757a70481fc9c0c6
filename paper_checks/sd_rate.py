r"""Poster SD theorem (SPEC §3.5, §8 item 14): steepest descent with γ = 1/L on an L-smooth f gives
min_k ‖∇f(x^k)‖_* ≤ (1/n)Σ_k ‖∇f(x^k)‖_* ≤ √(2LΔ/n).

Steepest descent x^{k+1} = x^k − γ[∇f(x^k)]^♯ in the problem's geometry (spectral, ℓ∞, ℓ2) on L-smooth
families; the rate via ``check_rate(…, "poster-sd")`` (the average, which the bound also covers) and the
per-step inequality f(x^{k+1}) ≤ f(x^k) − γ(1 − γL/2)‖∇f(x^k)‖_*² (rule ``sd``) as a supporting check; plus
the n = 1 witness on (L/2)(x − c)² where the bound is attained (ratio 1). Expected: PASS.
"""

from __future__ import annotations

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from problems import ShiftedQuadratic
from verify import check_descent, check_rate

from ._registry import fmt_setting, register, row

CLAIM = "poster-sd"

#: L-smooth families with a finite f⋆; quick runs use the first two.
FAMILIES = (
    ("softmax_regression", {}),
    ("matrix_factorization", {}),
    ("softmax_regression", {"geometry": "linf"}),
    ("logistic", {}),
)


def rows_for(problem, n: int, *, gamma: float | None = None, constants=None) -> list:
    """SD with γ = 1/L (or ``gamma``; ``constants`` override the problem's, e.g. in tests)."""
    L = (constants or {}).get("L", problem.L)
    gamma = 1.0 / L if gamma is None else gamma
    t = run_algorithm(A.steepest_descent(problem.norm, gamma), problem, n)
    return [
        row(CLAIM, "poster", problem.name, fmt_setting(gamma=gamma, n=n, L=float(L)),
            check_rate(t, "poster-sd", constants), extra=[check_descent(t, "sd", constants)])
    ]


@register(CLAIM, "poster", "Poster SD theorem: steepest descent with γ = 1/L, min_k ‖∇f‖_* ≤ √(2LΔ/n)")
def run(quick: bool = False, seed: int = 0) -> list:
    rows = []
    for n in (10, 100) if quick else (10, 100, 1000):
        for name, params in FAMILIES[:2] if quick else FAMILIES:
            rows.extend(rows_for(problems.get(name, **params), n))
    # tight witness: on (L/2)(x − c)² SD with γ = 1/L lands on c in one step, and ‖∇f(x¹)‖ = √(2LΔ) exactly
    q = ShiftedQuadratic(L=2.0, center=(0.5,), x_start=(-1.0,), name="quadratic_1d[L=2]")
    rows.extend(rows_for(q, 1))
    return rows
