r"""Proposition 4.1 (uCG, L-smooth) and Theorem 4.5 (uCG under Assumption 4.2), SPEC §3.1 and §3.3.

uCG x^{k+1} = x^k + γρ·lmo(∇f(x^k)) with ρ = 1 and three step sizes γρ each:

* Prop 4.1, (1/n)Σ_k‖∇f(x^k)‖_* ≤ Δ/(γρn) + Lγρ/2, on L-smooth problems, around the derived optimum
  γρ = √(2Δ/(Ln));
* Thm 4.5, (1/n)Σ_k‖∇f(x^k)‖_* ≤ 2Δ/(γρn) + 2L0γρ under γρ ≤ 1/(2L1), on (L0,L1)-smooth problems that are
  not L-smooth (γρ at and below 1/(2L1)) and on an L-smooth one (L1 = 0).

Expected: PASS.
"""

from __future__ import annotations

import math

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from verify import check_rate

from ._registry import fmt_setting, register, row

CLAIM_41, CLAIM_45 = "prop-4.1", "thm-4.5"

L_SMOOTH = (("softmax_regression", {}), ("logistic", {"L1": 0.0}))
L0L1 = (("abs_power", {}), ("lp_norm", {"p": 4.0, "d": 10, "geometry": "linf"}), ("quartic", {}))


def _delta(p) -> float:
    return float(p.f(p.x0)) - float(p.f_star)


def rate_row(claim: str, problem, gamma_rho: float, n: int, *, constants=None):
    """One uCG run (ρ = 1, γ = γρ) checked against ``claim`` (a theorems id)."""
    t = run_algorithm(A.ucg(problem.norm, gamma_rho, 1.0), problem, n)
    return row(
        claim,
        "theorem",
        problem.name,
        fmt_setting(gamma_rho=gamma_rho, n=n),
        check_rate(t, claim, constants),
        info={"gamma_rho": gamma_rho, "n": n},
    )


@register(CLAIM_41, "theorem", "Prop 4.1: uCG rate under L-smoothness, Δ/(γρn) + Lγρ/2")
def run_prop_4_1(quick: bool = False, seed: int = 0) -> list:
    n = 200 if quick else 1000
    rows = []
    for name, params in L_SMOOTH:
        p = problems.get(name, **params)
        star = math.sqrt(2.0 * _delta(p) / (p.L * n))
        for factor in (0.1, 1.0, 10.0):
            rows.append(rate_row(CLAIM_41, p, factor * star, n))
    return rows


@register(CLAIM_45, "theorem", "Thm 4.5: uCG rate under (L0,L1)-smoothness, 2Δ/(γρn) + 2L0γρ")
def run_thm_4_5(quick: bool = False, seed: int = 0) -> list:
    n = 200 if quick else 1000
    rows = []
    for name, params in L0L1[:2] if quick else L0L1:
        p = problems.get(name, **params)
        cap = 1.0 / (2.0 * p.L1)
        for factor in (1.0, 0.1, 0.01):
            rows.append(rate_row(CLAIM_45, p, factor * cap, n))
    name, params = L_SMOOTH[0]
    p = problems.get(name, **params)
    star = math.sqrt(_delta(p) / (p.L0 * n))
    rows.append(rate_row(CLAIM_45, p, star, n))
    return rows
