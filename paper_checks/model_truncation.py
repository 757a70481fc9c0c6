r"""Model truncation (Crawshaw et al. 2025; poster; SPEC §2.7, §7).

    x^{k+1} = argmin_{‖x − x^k‖ ≤ ρ} max{f̃_k + ⟨d^k, x − x^k⟩, f⋆}
            = x^k + min{ρ, (f̃_k − f⋆)/‖d^k‖_*}·lmo(d^k)

At points x^k of problems with a known f⋆ (f̃_k = f(x^k), d^k = ∇f(x^k); ℓ2, ℓ∞ and spectral geometry), in
both regimes (the cap ρ active: ρ = t⋆/2; the non-Euclidean Polyak step: ρ = 2t⋆, t⋆ := (f̃_k − f⋆)/‖d‖_*),
with cvxpy (Clarabel):

* the formula's point attains the optimal value of the truncated model over the ball (primary check);
* it lies in the ball ‖x − x^k‖ ≤ ρ, and the linear model at x^{k+1} is ≥ f⋆ (no overshoot below the floor);
* when t⋆ < ρ the argmin is a set; the formula's step length is ≤ the smallest ‖x − x^k‖ over that set
  (cvxpy: min ‖u‖ s.t. f̃_k + ⟨d, u⟩ ≤ f⋆), i.e. it is the point closest to x^k.

Expected: PASS.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

import problems
from ggnc_theory.tolerances import tolerance
from verify._result import judge_steps

from ._registry import register, row

CLAIM = "model-truncation"

#: (family, parameters, cvxpy geometry); quick runs use the first two.
FAMILIES = (
    ("lp_norm", {"p": 4.0, "d": 10, "geometry": "l2"}, 2),
    ("softmax_regression", {}, "spectral"),
    ("lp_norm", {"p": 4.0, "d": 10, "geometry": "linf"}, "inf"),
)
REGIMES = (("capped", 0.5), ("polyak", 2.0))

_SOLVER = {"solver": cp.CLARABEL, "tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def _cvx_norm(u, geometry):
    return cp.sigma_max(u) if geometry == "spectral" else cp.norm(u, geometry)


def _solve(objective, constraints) -> float:
    prob = cp.Problem(cp.Minimize(objective), constraints)
    prob.solve(**_SOLVER)
    return float(prob.value)


def _steps(label, measured, bound, scales, factor=1.0, **kw):
    # factor 10 against a conic solve: its optimum carries ~1e-10 relative residuals (tol_gap_rel)
    return judge_steps(label, measured, bound, [tolerance("float64", factor=factor, scale=s) for s in scales],
                       list(range(1, len(measured) + 1)), **kw)


def rows_for(p, geometry, regime: str, rho_over_t: float, draws: int, rng, *, sign: float = 1.0) -> list:
    """One row over ``draws`` points x^k near x¹ (``sign`` = −1 flips the step: a wrong formula, tests)."""
    f_star = float(p.f_star)
    vals, opts, lens, radii, lin, closest, closest_lens, scales = [], [], [], [], [], [], [], []
    for _ in range(draws):
        x = np.asarray(p.x0) + rng.standard_normal(np.shape(p.x0))
        ft, d = float(p.f(x)), p.grad(x)
        dn, s = p.norm.dual_lmo(d)
        dn = float(dn)
        t_star = (ft - f_star) / dn
        rho = rho_over_t * t_star
        u_formula = sign * min(rho, t_star) * s
        lin_next = ft + float(np.vdot(d, u_formula))
        u = cp.Variable(np.shape(x))
        inner = cp.sum(cp.multiply(d, u))
        vals.append(max(lin_next, f_star))
        opts.append(_solve(cp.maximum(ft + inner, f_star), [_cvx_norm(u, geometry) <= rho]))
        lens.append(float(p.norm(u_formula)))
        radii.append(rho)
        lin.append(lin_next)
        if t_star < rho:
            closest.append(_solve(_cvx_norm(u, geometry), [ft + inner <= f_star]))
            closest_lens.append(lens[-1])
        scales.append(max(abs(ft), abs(f_star), dn * rho))
    attains = _steps("formula point attains min over the ball of max{f̃ + ⟨d, x − x^k⟩, f⋆}",
                     vals, opts, scales, factor=10.0)
    extra = [
        _steps("‖x^{k+1} − x^k‖ ≤ ρ", lens, radii, radii),
        _steps("f̃ + ⟨d, x^{k+1} − x^k⟩ ≥ f⋆ (−linear model ≤ −f⋆)",
               [-v for v in lin], [-f_star] * len(lin), scales),
    ]
    if closest:
        extra.append(_steps("formula step length ≤ min ‖x − x^k‖ over the argmin set (closest point)",
                            closest_lens, closest, closest, factor=10.0))
    setting = f"{regime}, ρ = {rho_over_t:g}·t⋆, {draws} points"
    return [row(CLAIM, "poster", p.name, setting, attains, extra=extra,
                info={"max_step_over_rho": max(ln / r for ln, r in zip(lens, radii))})]


@register(CLAIM, "poster", "Model truncation: x + min{ρ, (f̃−f⋆)/‖d‖_*}·lmo(d) is the truncated-model argmin")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    draws = 3 if quick else 10
    rows = []
    for name, params, geometry in FAMILIES[:2] if quick else FAMILIES:
        p = problems.get(name, **params)
        for regime, factor in REGIMES:
            rows.extend(rows_for(p, geometry, regime, factor, draws, rng))
    return rows
