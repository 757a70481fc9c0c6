r"""Theorem 4.7 (deterministic S3CG, Algorithm 2, both variants, f L-smooth on βD), SPEC §3.6, §8 erratum 2.

With γ ≤ 1/L and ρ ≤ L (so γρ ≤ 1), on ≥ 2 problem families × both variants × several (γ, ρ, β):

* per-step descent: the printed Case II f(x^{k+1}) ≤ f(x^k) − γ⟨∇f,v⟩²/‖v‖² (rule ``s3cg-as-printed``) against
  the corrected one with ½ (rule ``s3cg``); Case I (clipped) is the same in both;
* rate: the average Wolfe gap against the printed 2β√(Δ/(γn)) + 2Δ/(γρn) (``thm-4.7``) and the corrected
  2√2·β√(Δ/(γn)) + 2Δ/(γρn) (``thm-4.7-corrected``); Δ = f(x¹) − f⋆ with f⋆ the problem's unconstrained
  infimum (≤ the minimum over βD, so Δ is an upper bound and the bounds stay valid);
* feasibility: ‖x^k‖ ≤ β for every iterate (``check_feasibility`` on the kept iterates);
* the n = 1 witness on f = (L/2)(x − c)², βD = [−β, β], x¹ = −β, c = −0.9β, γ = 1/L, ρ = L: the printed
  Case II decrease and the printed rate both fail, the corrected ones hold.

Expected: ERRATUM where the printed Case II (or rate) is violated as measured, else PASS; feasibility PASS.
"""

from __future__ import annotations

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from problems import ShiftedQuadratic
from verify import check_descent, check_feasibility, check_rate

from ._registry import fmt_setting, register, row

CLAIM = "thm-4.7"

#: (family, parameters, β): quick runs use the first two.
FAMILIES = (
    ("softmax_regression", {}, 1.0),
    ("matrix_factorization", {}, 0.5),
    ("logistic", {}, 2.0),
)

#: (γ·L, ρ/L): γ = 1/L, ρ = L (the FW short step for Variant 1); a small threshold; half the largest γ.
SETTINGS = ((1.0, 1.0), (1.0, 0.02), (0.5, 0.2))


def rows_for(problem, gamma: float, rho: float, beta: float, variant: int, n: int, *, constants=None) -> list:
    """The descent, rate and feasibility rows of one S3CG run (``constants`` overrides, e.g. in tests)."""
    t = run_algorithm(A.s3cg(problem.norm, gamma, rho, beta, variant), problem, n, keep_iterates=True)
    setting = fmt_setting(gamma=gamma, rho=rho, beta=beta, variant=variant, n=n, clipped=t.clipped_fraction)
    info = {"clipped_fraction": t.clipped_fraction, "gamma": gamma, "rho": rho, "beta": beta, "n": n}
    return [
        row(
            CLAIM + "/descent",
            "theorem",
            problem.name,
            setting,
            check_descent(t, "s3cg-as-printed", constants),
            check_descent(t, "s3cg", constants),
            info=info,
        ),
        row(
            CLAIM,
            "theorem",
            problem.name,
            setting,
            check_rate(t, "thm-4.7", constants),
            check_rate(t, "thm-4.7-corrected", constants),
            info=info,
        ),
        row(CLAIM + "/feasibility", "theorem", problem.name, setting, check_feasibility(t, norm=problem.norm),
            info=info),
    ]


@register(CLAIM, "theorem", "Thm 4.7: deterministic S3CG descent, rate (2β vs 2√2β) and feasibility in βD")
def run(quick: bool = False, seed: int = 0) -> list:
    n = 100 if quick else 400
    families = FAMILIES[:2] if quick else FAMILIES
    settings = SETTINGS[:2] if quick else SETTINGS
    rows = []
    for name, params, beta in families:
        p = problems.get(name, **params)
        for gamma_factor, rho_factor in settings:
            for variant in (1, 2):
                rows.extend(rows_for(p, gamma_factor / p.L, rho_factor * p.L, beta, variant, n))
    w = ShiftedQuadratic(L=1.0, center=(-0.9,), x_start=(-1.0,), name="quadratic_1d[c=-0.9β, x¹=-β]")
    rows.extend(rows_for(w, 1.0 / w.L, w.L, 1.0, 1, 1))
    return rows
