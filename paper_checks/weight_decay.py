r"""Weight decay as Frank–Wolfe (SPEC §2.5; poster; Pethick et al. 2025, Liu et al. 2025).

* ``weight-decay/feasible`` — the poster form x^{k+1} = (1 − λ)x^k + λβ·lmo(d^k), d^k = ∇f(x^k), keeps
  ‖x^k‖ ≤ β for λ ∈ [0, 1] when x¹ ∈ βD (a convex combination of points of βD). Measured: max_k ‖x^k‖/β over
  runs from x¹ on the sphere ‖x¹‖ = β, in the spectral and ℓ∞ geometry, for several λ (bound 1; the
  maximum is taken over the iterates the update produced, k ≥ 2); the open-loop Frank–Wolfe run
  (λ_k = 2/(k + 2)) is checked with ``check_feasibility`` as a supporting check.
* ``weight-decay/s3cg-is-decoupled-wd`` — the S3CG step x^{k+1} = x^k − γη_k v^k equals
  (1 − γη_k)x^k + γη_k·β·lmo(d^k): decoupled weight decay with the adaptive coefficient γη_k (max deviation
  over the run against the tolerance rule).

Expected: PASS.
"""

from __future__ import annotations

import numpy as np

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from verify import check_feasibility

from ._registry import agree, compare, fmt_setting, register, row

CLAIM = "weight-decay"

#: (family, parameters, β); quick runs use the first two (one spectral, one ℓ∞).
FAMILIES = (
    ("softmax_regression", {}, 1.0),
    ("lse", {}, 2.0),
    ("matrix_factorization", {}, 0.5),
    ("softmax_regression", {"geometry": "linf"}, 1.0),
)
LAMBDAS = (0.05, 0.5, 1.0)


def feasible_row(p, beta: float, lam: float, n: int, rng) -> object:
    """max_k ‖x^k‖/β for the poster's weight-decay (constant-λ Frank–Wolfe) iteration from ‖x¹‖ = β."""
    x = rng.standard_normal(np.shape(p.x0))
    x = beta * x / float(p.norm(x))
    ratios = [float(p.norm(x)) / beta]
    for _ in range(n):
        _, s = p.norm.dual_lmo(p.grad(x), beta)  # s = β·lmo(∇f(x^k))
        x = (1.0 - lam) * x + lam * s
        ratios.append(float(p.norm(x)) / beta)
    t = run_algorithm(A.frank_wolfe(p.norm, beta, "open_loop"), p, n, keep_iterates=True)
    return row(CLAIM + "/feasible", "poster", p.name, fmt_setting(lam=lam, beta=beta, n=n),
               compare(f"weight decay λ = {lam:g}: max_{{k≥2}} ‖x^k‖/β ≤ 1 (‖x¹‖ = β)", max(ratios[1:]), 1.0),
               extra=[check_feasibility(t, norm=p.norm)],
               info={"max_norm_over_beta": max(ratios), "final_norm_over_beta": ratios[-1]})


def s3cg_wd_row(p, beta: float, n: int, *, variant: int = 1, coef_scale: float | None = None) -> object:
    """S3CG iterates against (1 − c_k)x^k + c_k·β·lmo(∇f(x^k)), c_k = γη_k (tests: ``coef_scale`` for γ)."""
    gamma, rho = 0.5 / p.L, 0.5 * p.L
    t = run_algorithm(A.s3cg(p.norm, gamma, rho, beta, variant), p, n, keep_iterates=True)
    scale = gamma if coef_scale is None else coef_scale
    xs = list(t.iterates) + [t.x_final]
    pairs = []
    for k in range(n):
        _, s = p.norm.dual_lmo(t.gradients[k], beta)
        c = scale * float(t.eta[k])
        pairs.append((xs[k + 1], (1.0 - c) * xs[k] + c * s))
    res = agree("S3CG step = decoupled weight decay (1 − γη_k)x^k + γη_k·β·lmo(d^k)", pairs, p.norm)
    return row(CLAIM + "/s3cg-is-decoupled-wd", "theorem", p.name,
               fmt_setting(gamma=gamma, rho=rho, beta=beta, variant=variant, n=n), res,
               info={"max_coefficient": float(gamma * np.max(t.eta)), "clipped_fraction": t.clipped_fraction})


@register(CLAIM, "poster", "Weight decay as Frank–Wolfe: ‖x^k‖ ≤ β for λ ∈ [0,1]; S3CG = decoupled WD, γη_k")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    n = 50 if quick else 300
    rows = []
    for name, params, beta in FAMILIES[:2] if quick else FAMILIES:
        p = problems.get(name, **params)
        for lam in LAMBDAS:
            rows.append(feasible_row(p, beta, lam, n, rng))
        for variant in (1, 2):
            rows.append(s3cg_wd_row(p, beta, n, variant=variant))
    return rows
