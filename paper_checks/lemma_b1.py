r"""Lemma B.1 (momentum error recursion, Algorithm 1) and the initial error of Lemma B.2 (erratum 5), §3.7.

The error λ^k = d^k − ∇f(x^k) is measured on stochastic GGNC runs at Thm 4.9's parameter choice
(α = 1/√n, γ = 1/(√n·L0), ρ = L0/(2n^{1/4}L1)): d^k is captured from the algorithm's state
(``record_momentum``) and ∇f(x^k) kept by the runner, over several seeds.

* ``lemma-b.1``: E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + (4γ²ζ_*²ρ²/α)(L0² + L1²E‖∇f(x^k)‖_*²),
  k = 2..n. The right-hand side is affine in the expectations, so it equals the mean over seeds of
  ``lemma-b.1``'s bound evaluated per seed at (‖λ^{k−1}‖₂², ‖∇f(x^k)‖_*). The inequality between
  expectations is tested on the paired per-seed values with one-sided Student-t bounds, Bonferroni-split
  over all comparisons (``mean_leq``, family-wise error ``FAMILY_ERROR``): a row FAILs only if some
  E[lhs − rhs] > 0 at that confidence. Two rows per problem: per step (``/per-k``), and the sums over
  :data:`N_BLOCKS` blocks of consecutive k (``/blocks``, implied by the per-step statement; the noise of
  e_k − e_{k−1} telescopes inside a block, so it is the sharper test: it detects a σ² underestimated 100×).
* ``lemma-b.2``: E‖λ^k‖₂² ≤ B = 2(σ² + ζ_*²L²/L1²)/√n for all k as printed, vs the corrected
  (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 8γ²ρ²ζ_*²L²/α² (``lemma-b.2-corrected``): with d⁰ = 0,
  E‖λ¹‖₂² ≈ ‖∇f(x¹)‖₂² exceeds B, so the printed lemma fails at the first steps → ERRATUM (erratum 5).

Problems: ``lp_norm`` (ℓ2, certified (L0, L1), L1 > 0) and the L-smooth ``matrix_factorization`` with
(L0, L1) = (L, q·L/‖∇f(x¹)‖_*) (valid for every L1 ≥ 0), see :data:`PROBLEMS` and :data:`B2_PROBLEM`.
Expected: PASS for lemma-b.1, ERRATUM for lemma-b.2.
"""

from __future__ import annotations

import numpy as np

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import theorems as T

from ._registry import fmt_setting, momentum_error_runs, recursion_leq, register, row, uniform_leq

N_SEEDS = 40
QUICK_N_SEEDS = 20
HORIZON = 512
QUICK_HORIZON = 128
#: Number of blocks of consecutive steps whose sums are tested (``/blocks`` row).
N_BLOCKS = 8
#: Lemma B.1 settings (family, parameters, q): q None uses the certified (L0, L1); a number q uses
#: (L, q·L/‖∇f(x¹)‖_*) of an L-smooth problem. lp_norm: the drift term (L0² + L1²‖∇f‖²) dominates the
#: right-hand side; matrix_factorization with σ² = 100: the noise term α²σ² dominates (sensitive to σ²: a
#: σ² underestimated 100× makes the /blocks row FAIL; 10× only in some quick runs).
PROBLEMS = (("lp_norm", {}, None), ("matrix_factorization", {"sigma2": 100.0}, 3.0))
#: Lemma B.2 setting: ρ = ‖∇f(x¹)‖_*/(2n^{1/4}); B = 2(σ² + ζ_*²‖∇f(x¹)‖_*²)/√n < E‖λ¹‖₂² for n ≥ 64.
B2_PROBLEM = ("matrix_factorization", {}, 1.0)

LEMMA_B1 = (
    "lemma-b.1: E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + (4γ²ζ_*²ρ²/α)(L0² + L1²E‖∇f(x^k)‖_*²)"
)


def constants_of(p, q) -> dict:
    g1 = p.grad(p.x0)
    c = {"sigma2": p.sigma2, "grad1_l2": float(np.linalg.norm(np.ravel(g1)))}
    c.update(T.norm_constants(p.norm, p.shape))
    if q is None:
        c.update(L0=p.L0, L1=p.L1)
    else:
        c.update(L0=p.L, L1=q * p.L / float(p.norm.dual(g1)), L=p.L)
    return c


def momentum_errors(p, c: dict, n: int, seed: int, n_seeds: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """Thm 4.9's parameters for (c, n); ‖λ^k‖₂² and ‖∇f(x^k)‖_*, each of shape (seeds, n)."""
    pr = T.get("thm-4.9").prescribe(c, n)
    errs, grads = momentum_error_runs(
        lambda: A.ggnc(p.norm, pr["gamma"], pr["rho"], pr["alpha"]), p, n, seed, n_seeds)
    return pr, errs, grads


def _setting(p, pr: dict, n: int, n_seeds: int) -> str:
    return fmt_setting(n=n, gamma=pr["gamma"], rho=pr["rho"], alpha=pr["alpha"], seeds=n_seeds,
                       **{"σ²": p.sigma2})


def rows_b1(p, c: dict, n: int, seed: int, n_seeds: int, *, constants=None) -> list:
    """``constants`` overrides those of the check only (e.g. a deliberately wrong σ² in tests)."""
    pr, e, g = momentum_errors(p, c, n, seed, n_seeds)
    thm = T.get("lemma-b.1")
    cc = {**c, **(constants or {})}
    rhs = np.array(
        [
            [thm.bound(cc, {**pr, "prev_err": e[s, k - 1], "grad_dual": g[s, k]}, n) for k in range(1, n)]
            for s in range(n_seeds)
        ]
    )
    per_k, blocks = recursion_leq(
        LEMMA_B1, f"lemma-b.1 summed over {N_BLOCKS} blocks of consecutive k: Σ E‖λ^k‖₂² ≤ Σ right-hand sides",
        e, rhs, N_BLOCKS, hypotheses_failed=thm.check_hypotheses(cc, pr, n),
        parameters={"constants": cc, "params": pr, "n": n},
    )
    info = {**pr, "n": n, "n_seeds": n_seeds, "L0": c["L0"], "L1": c["L1"], "sigma2": p.sigma2,
            "mean_err_first": float(e[:, 0].mean()), "mean_err_last": float(e[:, -1].mean())}
    setting = _setting(p, pr, n, n_seeds)
    return [
        row("lemma-b.1/per-k", "lemma", p.name, setting, per_k, info=info),
        row("lemma-b.1/blocks", "lemma", p.name, setting, blocks, info=info),
    ]


def rows_b2(p, c: dict, n: int, seed: int, n_seeds: int) -> list:
    pr, e, _ = momentum_errors(p, c, n, seed, n_seeds)
    printed, corrected, B = uniform_leq(
        ("lemma-b.2", "lemma-b.2 [as_printed]: E‖λ^k‖₂² ≤ B = 2(σ² + ζ_*²L²/L1²)/√n for all k"),
        ("lemma-b.2-corrected",
         "lemma-b.2-corrected: E‖λ^k‖₂² ≤ (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 8γ²ρ²ζ_*²L²/α²"),
        e, c, pr,
    )
    info = {**pr, "n": n, "n_seeds": n_seeds, "B": B, "mean_err_1": float(e[:, 0].mean()),
            "grad1_l2_sq": c["grad1_l2"] ** 2}
    return [row("lemma-b.2", "lemma", p.name, _setting(p, pr, n, n_seeds), printed, corrected, info=info)]


@register("lemma-b.1", "lemma", "Lemma B.1: momentum error recursion over seeds (one-sided t-bounds)")
def run_b1(quick: bool = False, seed: int = 0) -> list:
    n, s = (QUICK_HORIZON, QUICK_N_SEEDS) if quick else (HORIZON, N_SEEDS)
    rows = []
    for name, params, q in PROBLEMS:
        p = problems.get(name, **params)
        rows.extend(rows_b1(p, constants_of(p, q), n, seed, s))
    return rows


@register("lemma-b.2", "lemma", "Lemma B.2: uniform bound B vs the initial error E‖λ¹‖² (erratum 5)")
def run_b2(quick: bool = False, seed: int = 0) -> list:
    n, s = (QUICK_HORIZON, QUICK_N_SEEDS) if quick else (HORIZON, N_SEEDS)
    name, params, q = B2_PROBLEM
    p = problems.get(name, **params)
    return rows_b2(p, constants_of(p, q), n, seed, s)
