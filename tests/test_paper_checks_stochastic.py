"""paper_checks.stochastic (thm-4.9, thm-4.11, thm-b.5) and paper_checks.lemma_b1 (lemma-b.1, lemma-b.2):
expected quick verdicts, a deliberately wrong constant makes a row FAIL, the slope criterion, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest

import problems
from paper_checks import _registry as R
from paper_checks._registry import ERRATUM, FAIL, PASS

IDS = ("thm-4.9", "thm-4.11", "thm-b.5", "lemma-b.1", "lemma-b.2")


@pytest.fixture(scope="module")
def mods():
    """The two claim modules, imported here (importing registers their claims); the claims this fixture
    registered are unregistered afterwards, so other test modules see the registry as ``paper_checks`` sets it
    up."""
    before = set(R.CLAIMS)
    from paper_checks import lemma_b1, stochastic

    yield stochastic, lemma_b1
    for cid in IDS:
        if cid not in before:
            R.CLAIMS.pop(cid, None)


@pytest.fixture(scope="module")
def quick_rows(mods):
    return {cid: R.get(cid).run(quick=True, seed=0) for cid in IDS}


@pytest.mark.parametrize("cid", ["thm-4.9", "thm-4.11", "thm-b.5"])
def test_stochastic_rates_pass_with_slope_at_least_as_steep(quick_rows, mods, cid):
    stochastic = mods[0]
    rows = quick_rows[cid]
    rates = [r for r in rows if r.claim == cid]
    assert len(rates) == len(stochastic.QUICK_HORIZONS)
    for r in rates:
        assert r.verdict == PASS, r.reason
        assert r.results[0].details["n_runs"] == stochastic.N_SEEDS >= 20
        assert r.info["corrected"]["bound"] > r.measured > 0
    (slope,) = [r for r in rows if r.claim == cid + "/slope"]
    assert slope.verdict == PASS
    assert slope.info["ci_low"] <= slope.info["slope"] <= slope.info["ci_high"]
    assert slope.info["ci_low"] <= -0.25
    assert "CI" in slope.results[0].message


def test_lemma_b1_passes_and_lemma_b2_is_erratum_5(quick_rows, mods):
    lemma_b1 = mods[1]
    rows = quick_rows["lemma-b.1"]
    assert {r.claim for r in rows} == {"lemma-b.1/per-k", "lemma-b.1/blocks"}
    assert len(rows) == 2 * len(lemma_b1.PROBLEMS) and all(r.verdict == PASS for r in rows)
    assert all(r.results[0].parameters["n_seeds"] >= 20 for r in rows)
    (b2,) = quick_rows["lemma-b.2"]
    assert b2.verdict == ERRATUM
    assert b2.results[0].worst_step == 1  # the initial error E‖λ¹‖² > B
    assert b2.info["mean_err_1"] > b2.info["B"]


def test_lemma_b1_sigma2_underestimated_100x_fails(mods):
    lemma_b1 = mods[1]
    name, params, q = lemma_b1.PROBLEMS[1]
    p = problems.get(name, **params)
    c = lemma_b1.constants_of(p, q)
    n, s = lemma_b1.QUICK_HORIZON, lemma_b1.QUICK_N_SEEDS
    rows = lemma_b1.rows_b1(p, c, n, 0, s, constants={"sigma2": c["sigma2"] / 100.0})
    blocks = [r for r in rows if r.claim == "lemma-b.1/blocks"][0]
    assert blocks.verdict == FAIL


def test_rate_with_wrong_constants_fails(mods):
    stochastic = mods[0]
    wrong = {"Delta": 1e-12, "sigma2": 1e-12, "L": 1e-12, "grad1_l2": 1e-12}
    rows = stochastic.rows_49((16, 64), 0, constants=wrong)
    assert [r.verdict for r in rows if r.claim == "thm-4.9"] == [FAIL, FAIL]


def test_slope_row_fails_for_a_shallower_decrease(mods):
    stochastic = mods[0]
    ns = (16, 64, 256, 1024)
    rng = np.random.default_rng(1)
    flat = [n**-0.1 * (1.0 + 0.01 * rng.standard_normal(20)) for n in ns]
    r = stochastic.slope_row("thm-4.9", "synthetic", ns, flat, 0, "a quantity")
    assert r.verdict == FAIL and r.info["ci_low"] > -0.25
    steep = [n**-0.25 * (1.0 + 0.01 * rng.standard_normal(20)) for n in ns]
    assert stochastic.slope_row("thm-4.9", "synthetic", ns, steep, 0, "q").verdict == PASS


def test_loglog_slope_is_deterministic_and_exact_on_a_power_law():
    ns = (10, 100, 1000)
    samples = [np.full(5, n**-0.5) for n in ns]
    s, lo, hi = R.loglog_slope(ns, samples, seed=3)
    assert s == pytest.approx(-0.5) and lo == pytest.approx(-0.5) and hi == pytest.approx(-0.5)
    noisy = [n**-0.5 * (1 + 0.1 * np.random.default_rng(n).standard_normal(8)) for n in ns]
    assert R.loglog_slope(ns, noisy, seed=3) == R.loglog_slope(ns, noisy, seed=3)


def test_rows_deterministic_across_runs(quick_rows):
    for cid in ("thm-4.11", "lemma-b.2"):
        again = R.get(cid).run(quick=True, seed=0)
        dump = lambda rows: json.dumps([r.to_dict() for r in rows], sort_keys=True)  # noqa: E731
        assert dump(again) == dump(quick_rows[cid])
