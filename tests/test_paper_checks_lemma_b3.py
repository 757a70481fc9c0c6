"""paper_checks.lemma_b3 (lemma-b.3, lemma-b.4): expected quick verdicts, deliberately wrong constants make
the corrected statements FAIL, rows are deterministic for a fixed seed, record_momentum works with S3CG."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from paper_checks import _registry as R
from paper_checks._registry import ERRATUM, FAIL, PASS
from paper_checks.stochastic import s3cg_constants

IDS = ("lemma-b.3", "lemma-b.4")


@pytest.fixture(scope="module")
def mod():
    """The claim module, imported here (importing registers its claims); the claims this fixture registered
    are unregistered afterwards, so other test modules see the registry as ``paper_checks`` sets it up."""
    before = set(R.CLAIMS)
    from paper_checks import lemma_b3

    yield lemma_b3
    for cid in IDS:
        if cid not in before:
            R.CLAIMS.pop(cid, None)


@pytest.fixture(scope="module")
def quick_rows(mod):
    return {cid: R.get(cid).run(quick=True, seed=0) for cid in IDS}


def _setting(mod, label: str):
    """(p, c, beta, n, seeds, errors) of the quick run of setting ``label`` (cached runs)."""
    (i,) = [j for j, s in enumerate(mod.SETTINGS) if s[0] == label]
    n, s = mod.QUICK_HORIZON, mod.QUICK_N_SEEDS
    _, p, c, pr, e = mod.setting_errors(i, n, 0, s)
    return p, c, mod.SETTINGS[i][3], n, s, (pr, e)


def _by(rows, claim: str, label: str):
    (r,) = [r for r in rows if r.claim == claim and r.info["setting"] == label]
    return r


def test_lemma_b3_rows_and_verdicts(quick_rows, mod):
    rows = quick_rows["lemma-b.3"]
    assert len(rows) == 2 * len(mod.SETTINGS)
    assert {r.claim for r in rows} == {"lemma-b.3/per-k", "lemma-b.3/blocks"}
    for r in rows:
        assert r.source == "lemma" and len(r.results) == 2
        assert r.results[0].parameters["n_seeds"] == mod.QUICK_N_SEEDS >= 20
        assert r.info["alpha"] == pytest.approx(mod.QUICK_HORIZON**-0.5) and r.info["variant"] == 1
        expected = ERRATUM if r.info["setting"] == "drift" else PASS
        assert r.verdict == expected, (r.claim, r.info["setting"], r.reason)
    for claim in ("lemma-b.3/per-k", "lemma-b.3/blocks"):
        drift = _by(rows, claim, "drift")
        printed, corrected = drift.results
        assert printed.applicable and not printed.holds and corrected.holds
        assert printed.worst_step > 2  # the steady state, not the initial transient
        assert "L²β²" not in printed.claim and "β²" in corrected.claim
        noise = _by(rows, claim, "noise")  # β = 1: the two forms coincide
        assert noise.results[0].measured == noise.results[1].measured
        assert noise.results[0].bound == pytest.approx(noise.results[1].bound)


def test_lemma_b4_rows_and_verdicts(quick_rows, mod):
    rows = quick_rows["lemma-b.4"]
    assert [r.info["setting"] for r in rows] == [s[0] for s in mod.SETTINGS]
    for r in rows:
        assert r.claim == "lemma-b.4" and len(r.results) == 2
        assert r.results[0].applicable and r.results[1].applicable  # α = 1/√n, γρ = 1/(Ln^{3/4})
    assert _by(rows, "lemma-b.4", "paper").verdict == PASS
    assert _by(rows, "lemma-b.4", "noise").verdict == PASS
    drift = _by(rows, "lemma-b.4", "drift")
    assert drift.verdict == ERRATUM
    assert drift.results[0].worst_step == 1  # d⁰ = 0: the initial error E‖λ¹‖² ≫ Λ_n²
    assert drift.info["mean_err_1"] > 100 * drift.info["Lambda_n_sq"]


def test_lemma_b3_sigma2_underestimated_100x_fails(mod):
    p, c, beta, n, s, errors = _setting(mod, "noise")
    rows = mod.rows_b3("noise", p, c, beta, n, 0, s, constants={"sigma2": c["sigma2"] / 100.0}, errors=errors)
    blocks = [r for r in rows if r.claim == "lemma-b.3/blocks"][0]
    assert blocks.verdict == FAIL and not blocks.results[1].holds


def test_lemma_b3_drift_term_too_small_fails(mod):
    """L underestimated 3× shrinks the proof's drift term 8ζ_*²L²β²γ²ρ²/α by 9 (its slack is ≈ 4×): both
    corrected rows FAIL."""
    p, c, beta, n, s, errors = _setting(mod, "drift")
    rows = mod.rows_b3("drift", p, c, beta, n, 0, s, constants={"L": c["L"] / 3.0}, errors=errors)
    assert [r.verdict for r in rows] == [FAIL, FAIL]


def test_lemma_b4_wrong_constants_fail(mod):
    p, c, beta, n, s, errors = _setting(mod, "noise")
    (r,) = mod.rows_b4("noise", p, c, beta, n, 0, s, constants={"sigma2": c["sigma2"] / 100.0}, errors=errors)
    assert r.verdict == FAIL
    p, c, beta, n, s, errors = _setting(mod, "drift")  # the corrected bound is tight at k = 1
    wrong = {"grad1_l2": 0.99 * c["grad1_l2"]}
    (r,) = mod.rows_b4("drift", p, c, beta, n, 0, s, constants=wrong, errors=errors)
    assert r.verdict == FAIL and r.results[1].worst_step == 1


def test_rows_deterministic_for_a_fixed_seed(quick_rows, mod):
    p, c, beta, n, s, errors = _setting(mod, "drift")
    fresh = mod.momentum_errors(p, c, beta, n, 0, s)  # recomputed, not from the cache
    assert fresh[0] == errors[0] and np.array_equal(fresh[1], errors[1])
    again = mod.rows_b3("drift", p, c, beta, n, 0, s, errors=fresh)
    dump = lambda rows: json.dumps([r.to_dict() for r in rows], sort_keys=True)  # noqa: E731
    assert dump(again) == dump([r for r in quick_rows["lemma-b.3"] if r.info["setting"] == "drift"])
    other = mod.momentum_errors(p, c, beta, n, 1, 2)
    assert not np.array_equal(other[1], errors[1][:2])


def test_record_momentum_captures_the_s3cg_momentum(mod):
    p = mod.drift_witness()
    c = s3cg_constants(p)
    alg, ds = R.record_momentum(A.s3cg(p.norm, 0.01, 1.0, mod.WITNESS_BETA, 1, 0.5))
    t = run_algorithm(alg, p, 3, stochastic=True, rng=np.random.default_rng(0), keep_iterates=True)
    assert len(ds) == 3 and np.allclose(np.abs(np.stack(ds)).ravel(), t.d_dual_norm)
    # d¹ = α·g¹ with d⁰ = 0: E‖λ¹‖₂² = α²σ² + (1 − α)²‖∇f(x¹)‖₂² (the corrected B.4 at k = 1 minus Λ_n²)
    assert float(np.sum((ds[0] - t.gradients[0]) ** 2)) == pytest.approx(0.25 * c["grad1_l2"] ** 2, rel=0.1)
