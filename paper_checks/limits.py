r"""The limit equivalences of SPEC §7 (and §2.2, §2.5), measured as the largest deviation between two runs.

* ``limits/ggnc-rho-inf-is-sd`` — GGNC with ρ above every ‖∇f(x^k)‖_* (ρ → ∞) is SD with step γ;
* ``limits/ggnc-rho-0-is-ucg`` — GGNC with ρ below every ‖∇f(x^k)‖_* and γρ = c fixed (ρ → 0) is uCG with
  γρ = c;
* ``limits/s3cg-without-x-is-ggnc`` — S3CG (Variant 1) from x¹ = 0 has v = −β·lmo(d), so its step is the GGNC
  step with threshold βρ (one step on random d, in ℓ2, ℓ1, ℓ∞ and spectral geometry, both regimes);
* ``limits/s3cg-is-fw-short-step`` — S3CG Variant 1 with γ = 1/L, ρ = L is the classical Frank–Wolfe short
  step min{1, ⟨∇f,v⟩/(L‖v‖²)} (trajectories; plus the exact sympy proof ``s3cg-variant1-fw-short-step``).

``measured`` is max_k ‖x_a^{k+1} − step_b(x_a^k)‖: the other method's step taken from every iterate of the
first run (or from every draw), ``bound`` the atol of the one tolerance rule (float64) at the iterates' scale
(:func:`paper_checks._registry.agree`). Step-wise, because whole trajectories may separate from a one-ulp
difference where the lmo is ill-conditioned (a spectral lmo at a near-zero singular value); the trajectory
deviation is recorded in ``info``. Expected: PASS on every row.
"""

from __future__ import annotations

import numpy as np

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import norms as N
from ggnc_theory import run as run_algorithm
from verify import check_hypothesis_symbolic

from ._registry import agree, fmt_setting, register, row

CLAIM = "limits"

#: L-smooth families (so SD with γ = 1/L is well defined); quick runs use the first two.
FAMILIES = (
    ("softmax_regression", {}),
    ("lse", {}),
    ("matrix_factorization", {}),
    ("softmax_regression", {"geometry": "linf"}),
)

#: (family, parameters, β) for the constrained equivalence.
CONSTRAINED = (("softmax_regression", {}, 1.0), ("matrix_factorization", {}, 0.5), ("logistic", {}, 2.0))

#: (label, geometry, shape of a draw) for the one-step S3CG/GGNC equivalence.
GEOMETRIES = (
    ("l2", N.L2(), (6,)),
    ("l1", N.L1(), (6,)),
    ("linf", N.Linf(), (6,)),
    ("spectral", N.Spectral(), (4, 3)),
)


def _pairs(ta, tb) -> list:
    return list(zip(ta.iterates, tb.iterates)) + [(ta.x_final, tb.x_final)]


def _stepwise(t, other) -> list:
    """(x^{k+1}, step of ``other`` from (x^k, ∇f(x^k))) along the run ``t`` (``other`` memoryless)."""
    xs = list(t.iterates) + [t.x_final]
    return [(xs[k + 1], other.step(xs[k], t.gradients[k], other.init(xs[k]))[0]) for k in range(t.nit)]


def rho_inf_row(p, n: int, *, rho_factor: float = 1e12) -> object:
    """GGNC(γ = 1/L, ρ = rho_factor·‖∇f(x¹)‖_*) against SD(γ = 1/L) (small ``rho_factor``: not a limit)."""
    gamma, rho = 1.0 / p.L, rho_factor * float(p.norm.dual(p.grad(p.x0)))
    tg = run_algorithm(A.ggnc(p.norm, gamma, rho), p, n, keep_iterates=True)
    sd = A.steepest_descent(p.norm, gamma)
    ts = run_algorithm(sd, p, n, keep_iterates=True)
    res = agree("GGNC (ρ → ∞) step = SD step at every iterate", _stepwise(tg, sd), p.norm)
    info = {"clipped_fraction": tg.clipped_fraction,
            "trajectory_max_deviation": agree("", _pairs(tg, ts), p.norm).measured}
    return row(CLAIM + "/ggnc-rho-inf-is-sd", "theorem", p.name, fmt_setting(gamma=gamma, rho=rho, n=n), res,
               info=info)


def rho_zero_row(p, n: int, *, rho_factor: float = 1e-8) -> object:
    """GGNC(γ = c/ρ, ρ = rho_factor·‖∇f(x¹)‖_*) against uCG(γ = c, ρ = 1), c = 0.1/L."""
    c = 0.1 / p.L
    rho = rho_factor * float(p.norm.dual(p.grad(p.x0)))
    tg = run_algorithm(A.ggnc(p.norm, c / rho, rho), p, n, keep_iterates=True)
    ucg = A.ucg(p.norm, c, 1.0)
    tu = run_algorithm(ucg, p, n, keep_iterates=True)
    res = agree("GGNC (ρ → 0, γρ fixed) step = uCG step at every iterate", _stepwise(tg, ucg), p.norm)
    return row(CLAIM + "/ggnc-rho-0-is-ucg", "theorem", p.name, fmt_setting(gamma_rho=c, rho=rho, n=n), res,
               info={"clipped_fraction": tg.clipped_fraction,
                     "trajectory_max_deviation": agree("", _pairs(tg, tu), p.norm).measured})


def s3cg_ggnc_row(label: str, norm, shape, draws: int, rng, *, rho_scale: float = 1.0) -> object:
    """One S3CG (Variant 1) step from x¹ = 0 against one GGNC step with threshold ``rho_scale``·βρ."""
    gamma, beta = 0.7, 2.0
    pairs, clipped = [], 0
    for i in range(draws):
        g = rng.standard_normal(shape)
        rho = float(norm.dual(g)) / beta * (0.3 if i % 2 else 3.0)  # alternate the two regimes
        x1 = np.zeros(shape)
        s3 = A.s3cg(norm, gamma, rho, beta, 1)
        gg = A.ggnc(norm, gamma, rho_scale * beta * rho)
        xs, _, info = s3.step(x1, g, s3.init(x1))
        xg, _, _ = gg.step(x1, g, gg.init(x1))
        clipped += bool(info.clipped)
        pairs.append((xs, xg))
    res = agree("S3CG step from x¹ = 0 (v = −β·lmo(d)) = GGNC step with threshold βρ", pairs, norm)
    return row(CLAIM + "/s3cg-without-x-is-ggnc", "theorem", label, f"{draws} random d, γ={gamma}, β={beta}",
               res, info={"clipped_draws": clipped, "draws": draws})


def fw_row(p, beta: float, n: int, *, gamma_factor: float = 1.0) -> object:
    """S3CG Variant 1 with γ = gamma_factor/L, ρ = L against the FW short step with constant L."""
    gamma, rho = gamma_factor / p.L, p.L
    ts = run_algorithm(A.s3cg(p.norm, gamma, rho, beta, 1), p, n, keep_iterates=True)
    fw = A.frank_wolfe(p.norm, beta, "short", p.L)
    tf = run_algorithm(fw, p, n, keep_iterates=True)
    res = agree("S3CG Variant 1 (γ = 1/L, ρ = L) step = FW short step at every iterate", _stepwise(ts, fw),
                p.norm)
    return row(CLAIM + "/s3cg-is-fw-short-step", "theorem", p.name,
               fmt_setting(gamma=gamma, rho=rho, beta=beta, n=n), res,
               extra=[check_hypothesis_symbolic("s3cg-variant1-fw-short-step")],
               info={"clipped_fraction": ts.clipped_fraction,
                     "trajectory_max_deviation": agree("", _pairs(ts, tf), p.norm).measured})


@register(CLAIM, "theorem", "Limits: GGNC ρ→∞ = SD, ρ→0 = uCG; S3CG w/o x = GGNC; S3CG(1/L, L) = FW step")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    n = 50 if quick else 200
    rows = []
    for name, params in FAMILIES[:2] if quick else FAMILIES:
        p = problems.get(name, **params)
        rows.append(rho_inf_row(p, n))
        rows.append(rho_zero_row(p, n))
    for label, norm, shape in GEOMETRIES:
        rows.append(s3cg_ggnc_row(label, norm, shape, 10 if quick else 50, rng))
    for name, params, beta in CONSTRAINED[:2] if quick else CONSTRAINED:
        rows.append(fw_row(problems.get(name, **params), beta, n))
    return rows
