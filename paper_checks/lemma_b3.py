r"""Lemma B.3 (momentum error recursion, Algorithm 2) and Lemma B.4 (its uniform bound), §3.8, errata 5 and 6.

The error λ^k = d^k − ∇f(x^k) is measured on stochastic S3CG (Algorithm 2, Variant 1) runs at Thm 4.11's
parameter choice (α = 1/√n, γ = 1/(L√n), ρ = n^{−1/4}, so γρ = 1/(Ln^{3/4}): the hypotheses of Lemma B.4):
d^k is captured from the algorithm's state (``record_momentum``) and ∇f(x^k) kept by the runner, over several
seeds (generator ``default_rng([seed, n, i])`` for run i).

* ``lemma-b.3``: E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + 8ζ_*²L²β^pγ²ρ²/α, k = 2..n, with p = 1 as
  printed ("L²β") and p = 2 as in the proof (``lemma-b.3-corrected``, erratum 6). As for Lemma B.1 the
  right-hand side is affine in E‖λ^{k−1}‖₂², so it is the mean over seeds of the bound evaluated per seed at
  ‖λ^{k−1}‖₂², and the inequality between expectations is tested on paired per-seed values with one-sided
  Student-t bounds, Bonferroni-split (``mean_leq``). Two rows per setting: per step (``/per-k``) and sums
  over :data:`N_BLOCKS` blocks of consecutive k (``/blocks``); each row is the (printed, corrected) pair.
* ``lemma-b.4``: E‖λ^k‖₂² ≤ Λ_n² = (2σ² + 16ζ_*²β²)/√n for all k as printed, vs the corrected
  (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 16ζ_*²L²β²γ²ρ²/α² (``lemma-b.4-corrected``, erratum 5; its last two terms
  equal Λ_n² here), one row per setting.

Settings (:data:`SETTINGS`, constants from :func:`paper_checks.stochastic.s3cg_constants`; the runs of a
setting are shared by both claims, :func:`setting_errors`):

* ``paper`` — Thm 4.11's problem and radius (``logistic``, β = 3, σ² = 0.1). Expected PASS on every row:
  the drift term of Lemma B.3 is a worst case (‖∇f(x^k) − ∇f(x^{k−1})‖₂ ≤ ζ_*L·2βγρ), and even a drift at
  that maximum in a constant direction raises E‖λ^k‖₂² − (1 − α/2)E‖λ^{k−1}‖₂² at its steady state only to
  ≈ 2ζ_*²L²β²γ²ρ²/α (see ``drift``), below the printed 8ζ_*²L²βγ²ρ²/α when β ≤ 4: β vs β² cannot show at
  β = 3. Λ_n² ≈ 144/√n is far above E‖λ¹‖₂² ≈ 0.7: the printed Lemma B.4 holds too.
* ``noise`` — ``matrix_factorization`` (spectral, x¹ = 0) with σ² = 1000, β = 1: the noise term α²σ²
  dominates the right-hand side, so a σ² underestimated 100× makes the corrected ``lemma-b.3/blocks`` and
  ``lemma-b.4`` rows FAIL (the slack of B.3 is a fraction O(α) of its right-hand side, which the term
  (1 − α/2)E‖λ^{k−1}‖₂² dominates; the per-step noise hides it, the block sums show it). Expected PASS on
  every row (β = 1: the printed and corrected B.3 coincide).
* ``drift`` — the witness of erratum 6: f = (L/2)(x − c)² on ℝ (ℓ2, ζ_* = 1, curvature exactly L
  everywhere, additive Gaussian noise σ² = 1), L = 10, β = 16, x¹ = −β, c = β + 2 outside βD. Every step is
  clipped (η = ρ) and moves x towards +β by γρ‖v^k‖, ‖v^k‖ = β − x^k (γρ = 1/(Ln^{3/4}) is small: x^k stays
  below −3.9 for n = 512, below −6.9 for n = 128), so ∇f drifts by Lγρ‖v^k‖ per step in a constant
  direction; the momentum lags by ≈ Lγρ‖v^k‖/α, and at that near-steady state
  E‖λ^k‖₂² − (1 − α/2)E‖λ^{k−1}‖₂² ≈ L²γ²ρ²‖v^k‖²/(2α): above the printed 8L²βγ²ρ²/α while
  ‖v^k‖² > 16β (here: while x^k < 0), at most a quarter of the proof's 8L²β²γ²ρ²/α (‖v^k‖ ≤ 2β). (The
  printed form is not invariant under the rescaling x → s·x, which maps β → sβ, L → L/s², γρ → γρ,
  λ → λ/s; the proof's β² is.) Expected ERRATUM for both ``lemma-b.3`` rows (the printed bound is violated
  at the steps after the initial error has decayed; the corrected one holds), and ERRATUM for
  ``lemma-b.4``: with d⁰ = 0, E‖λ¹‖₂² = α²σ² + (1 − α)²L²(c − x¹)² ≈ 10⁵ ≫ Λ_n² = (2σ² + 16β²)/√n, so the
  printed bound fails at k = 1 while the corrected one holds (it is tight at k = 1: its slack there is
  Λ_n² alone).
"""

from __future__ import annotations

import functools

import numpy as np

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import theorems as T

from ._registry import fmt_setting, momentum_error_runs, recursion_leq, register, row, uniform_leq
from .stochastic import BETA, S3CG_PROBLEM, s3cg_constants

N_SEEDS = 40
QUICK_N_SEEDS = 20
HORIZON = 512
QUICK_HORIZON = 128
#: Number of blocks of consecutive steps whose sums are tested (``/blocks`` rows).
N_BLOCKS = 8

#: The erratum-6 witness (``drift`` setting): f = (L/2)(x − c)², x¹ = −β, c = β + gap.
WITNESS = "drift_witness"
WITNESS_L = 10.0
WITNESS_BETA = 16.0
WITNESS_GAP = 2.0
WITNESS_SIGMA2 = 1.0

#: (label, problem family, its parameters, β). ``WITNESS`` builds :func:`drift_witness`.
SETTINGS = (
    ("paper", S3CG_PROBLEM[0], S3CG_PROBLEM[1], BETA),
    ("noise", "matrix_factorization", {"sigma2": 1000.0}, 1.0),
    ("drift", WITNESS, {}, WITNESS_BETA),
)

LEMMA_B3 = "E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + 8ζ_*²L²<β>γ²ρ²/α"


def drift_witness(L: float = WITNESS_L, beta: float = WITNESS_BETA, gap: float = WITNESS_GAP,
                  sigma2: float = WITNESS_SIGMA2) -> problems.ShiftedQuadratic:
    """The ``drift`` setting's problem: x¹ = −β on the boundary of βD, minimiser c = β + gap outside it."""
    return problems.ShiftedQuadratic(L=L, center=(beta + gap,), x_start=(-beta,), sigma2=sigma2,
                                     name=f"shifted_quadratic[L={L:g},c={beta + gap:g}]")


def problem_of(family: str, params: dict):
    return drift_witness(**params) if family == WITNESS else problems.get(family, **params)


def momentum_errors(p, c: dict, beta: float, n: int, seed: int, n_seeds: int) -> tuple[dict, np.ndarray]:
    """Thm 4.11's parameters for (c, n) with ``beta``, and ‖λ^k‖₂² of shape (seeds, n)."""
    pr = {**T.get("thm-4.11").prescribe(c, n), "beta": beta}
    errs, _ = momentum_error_runs(
        lambda: A.s3cg(p.norm, pr["gamma"], pr["rho"], beta, pr["variant"], pr["alpha"]), p, n, seed, n_seeds)
    return pr, errs


def _setting(label: str, p, pr: dict, n: int, n_seeds: int) -> str:
    return fmt_setting(setting=label, n=n, gamma=pr["gamma"], rho=pr["rho"], alpha=pr["alpha"],
                       beta=pr["beta"], seeds=n_seeds, **{"σ²": p.sigma2})


def rows_b3(
    label: str, p, c: dict, beta: float, n: int, seed: int, n_seeds: int, *, constants=None, errors=None
) -> list:
    """``constants`` overrides those of the check only (e.g. a deliberately wrong σ² in tests); ``errors``
    is ``momentum_errors(p, c, beta, n, seed, n_seeds)`` if already computed."""
    pr, e = errors if errors is not None else momentum_errors(p, c, beta, n, seed, n_seeds)
    cc = {**c, **(constants or {})}
    params = {"constants": cc, "params": pr, "n": n}
    results = {}
    for tid, b in (("lemma-b.3", "β"), ("lemma-b.3-corrected", "β²")):
        thm = T.get(tid)
        rhs = np.array(
            [[thm.bound(cc, {**pr, "prev_err": e[s, k - 1]}, n) for k in range(1, n)] for s in range(n_seeds)]
        )
        tag = "lemma-b.3 [as_printed]" if tid == "lemma-b.3" else tid
        results[tid] = recursion_leq(
            f"{tid}: " + LEMMA_B3.replace("<β>", b),
            f"{tag} summed over {N_BLOCKS} blocks of consecutive k: Σ E‖λ^k‖₂² ≤ Σ right-hand sides ({b})",
            e, rhs, N_BLOCKS, hypotheses_failed=thm.check_hypotheses(cc, pr, n), parameters=params,
        )
    (pk, bl), (pk_c, bl_c) = results["lemma-b.3"], results["lemma-b.3-corrected"]
    info = {**pr, "setting": label, "n": n, "n_seeds": n_seeds, "L": c["L"], "sigma2": p.sigma2,
            "zeta_star": c["zeta_star"], "mean_err_first": float(e[:, 0].mean()),
            "mean_err_last": float(e[:, -1].mean())}
    setting = _setting(label, p, pr, n, n_seeds)
    return [
        row("lemma-b.3/per-k", "lemma", p.name, setting, pk, pk_c, info=info),
        row("lemma-b.3/blocks", "lemma", p.name, setting, bl, bl_c, info=info),
    ]


def rows_b4(
    label: str, p, c: dict, beta: float, n: int, seed: int, n_seeds: int, *, constants=None, errors=None
) -> list:
    """``constants`` overrides those of the check only (e.g. a deliberately wrong σ² in tests); ``errors``
    is ``momentum_errors(p, c, beta, n, seed, n_seeds)`` if already computed."""
    pr, e = errors if errors is not None else momentum_errors(p, c, beta, n, seed, n_seeds)
    cc = {**c, **(constants or {})}
    printed, corrected, lam2 = uniform_leq(
        ("lemma-b.4", "lemma-b.4 [as_printed]: E‖λ^k‖₂² ≤ Λ_n² = (2σ² + 16ζ_*²β²)/√n for all k"),
        ("lemma-b.4-corrected",
         "lemma-b.4-corrected: E‖λ^k‖₂² ≤ (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 16ζ_*²L²β²γ²ρ²/α²"),
        e, cc, pr,
    )
    info = {**pr, "setting": label, "n": n, "n_seeds": n_seeds, "Lambda_n_sq": lam2,
            "mean_err_1": float(e[:, 0].mean()), "grad1_l2_sq": c["grad1_l2"] ** 2,
            "mean_err_last": float(e[:, -1].mean())}
    setting = _setting(label, p, pr, n, n_seeds)
    return [row("lemma-b.4", "lemma", p.name, setting, printed, corrected, info=info)]


@functools.lru_cache(maxsize=8)
def setting_errors(index: int, n: int, seed: int, n_seeds: int) -> tuple:
    """``(label, p, c, pr, e)`` of :data:`SETTINGS` [index]: the runs are shared by both claims (cached;
    ``e`` is read-only)."""
    label, family, params, beta = SETTINGS[index]
    p = problem_of(family, params)
    c = s3cg_constants(p)
    pr, e = momentum_errors(p, c, beta, n, seed, n_seeds)
    e.flags.writeable = False
    return label, p, c, pr, e


def _run(rows_fn, quick: bool, seed: int) -> list:
    n, s = (QUICK_HORIZON, QUICK_N_SEEDS) if quick else (HORIZON, N_SEEDS)
    rows = []
    for i, (_, _, _, beta) in enumerate(SETTINGS):
        label, p, c, pr, e = setting_errors(i, n, seed, s)
        rows.extend(rows_fn(label, p, dict(c), beta, n, seed, s, errors=(dict(pr), e)))
    return rows


@register("lemma-b.3", "lemma", "Lemma B.3: S3CG momentum error recursion, printed β vs β² (erratum 6)")
def run_b3(quick: bool = False, seed: int = 0) -> list:
    return _run(rows_b3, quick, seed)


@register("lemma-b.4", "lemma", "Lemma B.4: uniform bound Λ_n² vs the initial error E‖λ¹‖² (erratum 5)")
def run_b4(quick: bool = False, seed: int = 0) -> list:
    return _run(rows_b4, quick, seed)
