r"""Trust-region reading of the GGNC step (SPEC §2.2, §8 erratum 8).

The paper states x^{k+1} ∈ argmin_{‖x − x^k‖ ≤ ρ} γ⟨d^k, x⟩ + ½‖x − x^k‖². With radius R the minimiser is
x^k + min{γ‖d‖_*, R}·lmo(d), so the GGNC step x^k + γ·min{ρ, ‖d‖_*}·lmo(d) is the argmin for R = γρ, and for
the printed R = ρ only when the step is not clipped (‖d‖_* ≤ ρ) or γ = 1.

* ``trust-region`` — for random (x^k, d) in ℓ2, ℓ1 and ℓ∞, both regimes, γ = 0.5: the objective at the GGNC
  point against the optimal value of the trust-region problem solved by cvxpy (Clarabel), at the printed
  radius ρ and at the corrected radius γρ; the GGNC step also lies within the radius (supporting check).
  Expected: ERRATUM when clipped (the printed radius has a strictly lower optimum), PASS when not.
* ``trust-region/step-length`` — along a GGNC run, ‖x^{k+1} − x^k‖ against min{ρ, γ‖d‖_*} (printed,
  ``trust-region-step``) and γ·min{ρ, ‖d‖_*} (corrected) via ``check_step_length``. Expected: ERRATUM.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import norms as N
from ggnc_theory import run as run_algorithm
from ggnc_theory.tolerances import tolerance
from verify import check_step_length
from verify._result import judge_steps

from ._registry import fmt_setting, register, row

CLAIM = "trust-region"
GAMMA = 0.5

#: (label, geometry, cvxpy p)
GEOMETRIES = (("l2", N.L2(), 2), ("l1", N.L1(), 1), ("linf", N.Linf(), "inf"))

#: ρ / ‖d‖_*: clipped (GGNC takes the uCG step) and unclipped (the SD step).
REGIMES = (("clipped", 0.3), ("unclipped", 3.0))

_SOLVER = {"solver": cp.CLARABEL, "tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def _optimum(d: np.ndarray, gamma: float, radius: float, p) -> float:
    """min_{‖u‖_p ≤ radius} γ⟨d, u⟩ + ½‖u‖_p² (u = x − x^k), by cvxpy."""
    u = cp.Variable(d.size)
    obj = gamma * (d @ u) + 0.5 * cp.square(cp.norm(u, p))
    prob = cp.Problem(cp.Minimize(obj), [cp.norm(u, p) <= radius])
    prob.solve(**_SOLVER)
    return float(prob.value)


def _objective(d, gamma: float, u, norm) -> float:
    return gamma * float(d @ u) + 0.5 * float(norm(u)) ** 2


def _attains(label: str, radius_name: str, values, optima, steps, radii) -> tuple:
    """The GGNC point attains the trust-region optimum (per draw), and lies within the radius."""
    scale = [max(abs(v), abs(o), 1e-300) for v, o in zip(values, optima)]
    idx = list(range(1, len(values) + 1))
    # factor 10: the conic solver's optimum carries its own ~1e-10 relative residuals (tol_gap_rel)
    tols = [tolerance("float64", factor=10.0, scale=s) for s in scale]
    att = judge_steps(f"{label}: GGNC objective ≤ optimum over ‖x − x^k‖ ≤ {radius_name}", values, optima,
                      tols, idx, parameters={"radius": radius_name})
    feas = judge_steps(f"{label}: ‖x^{{k+1}} − x^k‖ ≤ {radius_name}", steps, radii,
                       [tolerance("float64", scale=r) for r in radii], idx,
                       parameters={"radius": radius_name})
    return att, feas


def rows_for(label: str, norm, p, regime: str, rho_over_dual: float, draws: int, rng, *,
             corrected_radius_factor: float = 1.0) -> list:
    """One row: printed radius ρ vs corrected radius γρ (times ``corrected_radius_factor``, ≠ 1 in tests)."""
    vals, opt_p, opt_c, steps, rad_p, rad_c = [], [], [], [], [], []
    for _ in range(draws):
        x, d = rng.standard_normal(6), rng.standard_normal(6)
        rho = rho_over_dual * float(norm.dual(d))
        alg = A.ggnc(norm, GAMMA, rho)
        x_next, _, _ = alg.step(x, d, alg.init(x))
        u = x_next - x
        r_c = corrected_radius_factor * GAMMA * rho
        vals.append(_objective(d, GAMMA, u, norm))
        opt_p.append(_optimum(d, GAMMA, rho, p))
        opt_c.append(_optimum(d, GAMMA, r_c, p))
        steps.append(float(norm(u)))
        rad_p.append(rho)
        rad_c.append(r_c)
    printed, feas_p = _attains(label, "ρ (printed)", vals, opt_p, steps, rad_p)
    corrected, feas_c = _attains(label, "γρ (corrected)", vals, opt_c, steps, rad_c)
    return [row(CLAIM, "theorem", label, f"{regime}, ρ/‖d‖_*={rho_over_dual:g}, γ={GAMMA}, {draws} draws",
                printed, corrected, extra=[feas_p, feas_c])]


def step_length_row(n: int) -> object:
    p = problems.get("lp_norm", p=4.0, d=10, geometry="linf")
    rho = 0.1 * float(p.norm.dual(p.grad(p.x0)))
    gamma = GAMMA / (p.L0 + rho * p.L1)
    t = run_algorithm(A.ggnc(p.norm, gamma, rho), p, n, keep_iterates=True)
    return row(CLAIM + "/step-length", "theorem", p.name,
               fmt_setting(gamma=gamma, rho=rho, n=n, clipped=t.clipped_fraction),
               check_step_length(t, norm=p.norm, theorem="trust-region-step"),
               check_step_length(t, norm=p.norm, theorem="trust-region-step-corrected"),
               info={"clipped_fraction": t.clipped_fraction})


@register(CLAIM, "theorem", "Trust-region form of GGNC: argmin over radius γρ, not ρ (erratum 8; cvxpy)")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    draws = 3 if quick else 10
    rows = []
    for label, norm, p in GEOMETRIES:
        for regime, factor in REGIMES:
            rows.extend(rows_for(label, norm, p, regime, factor, draws, rng))
    rows.append(step_length_row(50 if quick else 200))
    return rows
