r"""Theorem 4.3, "specifically" clause (also on the poster): ρ = L0/L1, γ = 1/L0 ⇒ √(L0Δ/n) + 2L1Δ/n.

SPEC §8 erratum 1: with ρ = L0/L1 the hypothesis γ ≤ 1/(L0 + ρL1) = 1/(2L0) fails at γ = 1/L0 (the descent
factor 1 − γ(L0 + ρL1)/2 is exactly 0); the consistent choice γ = 1/(2L0) gives √(2L0Δ/n) + 4L1Δ/n.

* Symbolic (sympy): the printed choice violates the hypothesis, the corrected one meets it with equality;
  both formulas are the general bound at those choices.
* Numeric: GGNC at the printed choice (``thm-4.3-special``: hypotheses fail) against GGNC at the corrected
  choice (``thm-4.3-special-corrected``) on problems with L1 > 0. Expected: ERRATUM.
"""

from __future__ import annotations

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from ggnc_theory import theorems
from verify import check_hypothesis_symbolic, check_rate

from ._registry import fmt_setting, register, row

CLAIM = "thm-4.3-special"

FAMILIES = (
    ("lp_norm", {"p": 4.0, "d": 10, "geometry": "linf"}),
    ("abs_power", {}),
    ("quartic", {}),
    ("logistic", {"L1": 1.0}),
)


def _run(problem, theorem_id: str, n: int):
    thm = theorems.get(theorem_id)
    prm = thm.prescribe({"L0": problem.L0, "L1": problem.L1}, n)
    t = run_algorithm(A.ggnc(problem.norm, prm["gamma"], prm["rho"]), problem, n)
    return check_rate(t, thm), t, prm


@register(CLAIM, "theorem", "Thm 4.3 special case ρ = L0/L1, γ = 1/L0 (erratum 1: γ = 1/(2L0))")
def run(quick: bool = False, seed: int = 0) -> list:
    rows = [
        row(
            CLAIM + "/hypothesis",
            "theorem",
            "symbolic (L0, L1 > 0)",
            "γ=1/L0 vs 1/(2L0), ρ=L0/L1",
            check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/L0", rho="L0/L1"),
            check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/(2*L0)", rho="L0/L1"),
            extra=[
                check_hypothesis_symbolic("thm-4.3-special-violates-hypothesis"),
                check_hypothesis_symbolic("thm-4.3-special-corrected-meets-hypothesis"),
                check_hypothesis_symbolic("thm-4.3-special-from-general"),
            ],
        )
    ]
    n = 200 if quick else 500
    for name, params in FAMILIES[:2] if quick else FAMILIES:
        p = problems.get(name, **params)
        printed, tp, pp = _run(p, "thm-4.3-special", n)
        corrected, tc, pc = _run(p, "thm-4.3-special-corrected", n)
        rows.append(
            row(
                CLAIM,
                "theorem",
                p.name,
                fmt_setting(gamma=pp["gamma"], rho=pp["rho"], n=n) + f" | corrected γ={pc['gamma']:.4g}",
                printed,
                corrected,
                info={
                    "clipped_fraction": tp.clipped_fraction,
                    "clipped_fraction_corrected": tc.clipped_fraction,
                },
            )
        )
    return rows
