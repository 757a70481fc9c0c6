"""The deterministic claim modules of paper_checks (Thm 4.7, limits, trust region, poster SD, unification
table, weight decay, model truncation): expected verdicts in quick mode, a deliberately wrong algorithm or
constant that makes a row FAIL for every claim, and determinism (same seed ⇒ identical rows)."""

from __future__ import annotations

import importlib
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

import problems
from ggnc_theory import norms as N
from paper_checks import ERRATUM, FAIL, PASS, SKIP
from paper_checks import _registry as R

NAMES = ("thm_4_7", "limits", "trust_region", "sd_rate", "unification", "weight_decay", "model_truncation")
IDS = ("thm-4.7", "limits", "trust-region", "poster-sd", "unification", "weight-decay", "model-truncation")


@pytest.fixture(scope="module")
def m():
    """The claim modules, imported here (importing registers them). Claims this import registered are taken
    out of the registry again afterwards, so that other test modules see the registry as the package builds it
    (``paper_checks/__init__.py`` decides which claims are registered)."""
    before = set(R.CLAIMS)
    mods = {name: importlib.import_module("paper_checks." + name) for name in NAMES}
    for name in NAMES:  # imported, then unregistered by an earlier use of this fixture: register again
        if mods[name].CLAIM not in R.CLAIMS:
            importlib.reload(mods[name])
    yield SimpleNamespace(**mods)
    for cid in IDS:
        if cid not in before:
            R.CLAIMS.pop(cid, None)


@pytest.fixture(scope="module")
def rows(m):
    return {cid: R.get(cid).run(quick=True, seed=0) for cid in IDS}


def _witness():
    return problems.ShiftedQuadratic(L=1.0, center=(-0.9,), x_start=(-1.0,), name="w")


def test_registered_with_sources(m):
    for mod, cid in zip((getattr(m, name) for name in NAMES), IDS):
        assert mod.CLAIM == cid and R.get(cid).source in R.SOURCES


def test_same_seed_gives_identical_rows(rows):
    for cid in IDS:
        again = R.get(cid).run(quick=True, seed=0)
        a = [json.dumps(r.to_dict(), sort_keys=True, allow_nan=False) for r in rows[cid]]
        b = [json.dumps(r.to_dict(), sort_keys=True, allow_nan=False) for r in again]
        assert a == b, cid


def test_no_fail_or_skip_in_quick_mode(rows):
    for cid in IDS:
        bad = [(r.claim, r.problem, r.reason) for r in rows[cid] if r.verdict in (FAIL, SKIP)]
        assert not bad, bad


# --------------------------------------------------------------------------------------------- Thm 4.7
def test_thm_4_7_rows(rows):
    rs = rows["thm-4.7"]
    rate = [r for r in rs if r.claim == "thm-4.7" and not r.problem.startswith("quadratic")]
    assert len({r.problem for r in rate}) >= 2
    assert {r.setting.split("variant=")[1][0] for r in rate} == {"1", "2"}
    assert all(r.verdict == PASS for r in rate)  # the printed rate holds on these problems
    assert all(all(x.applicable for x in r.results) for r in rate)  # γ ≤ 1/L, ρ ≤ L held
    assert all(r.verdict == PASS for r in rs if r.claim == "thm-4.7/feasibility")
    descent = [r for r in rs if r.claim == "thm-4.7/descent"]
    assert any(r.verdict == ERRATUM for r in descent) and all(r.verdict in (PASS, ERRATUM) for r in descent)
    fractions = [r.info["clipped_fraction"] for r in rate]
    assert max(fractions) == 1.0 and min(fractions) == 0.0  # both cases of the proof visited


def test_thm_4_7_witness_printed_case_ii_and_rate_fail(rows):
    w = {r.claim: r for r in rows["thm-4.7"] if r.problem.startswith("quadratic")}
    assert w["thm-4.7/descent"].verdict == ERRATUM and w["thm-4.7/descent"].ratio == pytest.approx(2.0)
    assert w["thm-4.7"].verdict == ERRATUM
    assert w["thm-4.7"].ratio == pytest.approx(2.0 / (math.sqrt(2.0) + 0.1))  # gap/bound at a = 0.1β
    assert w["thm-4.7"].info["corrected"]["ratio"] < 1.0
    assert w["thm-4.7/feasibility"].verdict == PASS


def test_thm_4_7_too_large_gamma_is_skipped_and_a_wrong_L_fails(m):
    w = _witness()
    skipped = m.thm_4_7.rows_for(w, 2.5, 0.4, 1.0, 1, 3)  # γ > 1/L: hypothesis fails
    assert {r.verdict for r in skipped[:2]} == {SKIP}
    # a wrong constant L = 0.4 makes γ ≤ 1/L "hold": the step overshoots and f increases
    wrong = m.thm_4_7.rows_for(w, 2.5, 0.4, 1.0, 1, 3, constants={"L": 0.4})
    assert wrong[0].verdict == FAIL


# --------------------------------------------------------------------------------------------- limits
def test_limits_rows(rows):
    rs = rows["limits"]
    kinds = {r.claim for r in rs}
    assert kinds == {
        "limits/ggnc-rho-inf-is-sd",
        "limits/ggnc-rho-0-is-ucg",
        "limits/s3cg-without-x-is-ggnc",
        "limits/s3cg-is-fw-short-step",
    }
    assert all(r.verdict == PASS and r.measured <= r.bound for r in rs)
    for r in rs:
        if r.claim == "limits/ggnc-rho-inf-is-sd":
            assert r.info["clipped_fraction"] == 0.0
        if r.claim == "limits/ggnc-rho-0-is-ucg":
            assert r.info["clipped_fraction"] == 1.0
        if r.claim == "limits/s3cg-is-fw-short-step":
            assert r.results[1].claim == "symbolic[s3cg-variant1-fw-short-step]" and r.results[1].holds
        if r.claim == "limits/s3cg-without-x-is-ggnc":
            assert 0 < r.info["clipped_draws"] < r.info["draws"]  # both regimes


def test_limits_fail_away_from_the_limit(m):
    p = problems.get("softmax_regression")
    assert m.limits.rho_inf_row(p, 20, rho_factor=0.05).verdict == FAIL
    assert m.limits.rho_zero_row(p, 20, rho_factor=1.0).verdict == FAIL
    rng = np.random.default_rng(0)
    assert m.limits.s3cg_ggnc_row("l2", N.L2(), (6,), 6, rng, rho_scale=0.5).verdict == FAIL
    assert m.limits.fw_row(p, 1.0, 20, gamma_factor=0.5).verdict == FAIL


# --------------------------------------------------------------------------------------------- trust region
def test_trust_region_rows(rows):
    rs = rows["trust-region"]
    main = [r for r in rs if r.claim == "trust-region"]
    assert {r.problem for r in main} == {"l2", "l1", "linf"}
    for r in main:
        assert r.verdict == (ERRATUM if r.setting.startswith("clipped") else PASS)
    (sl,) = [r for r in rs if r.claim == "trust-region/step-length"]
    assert sl.verdict == ERRATUM and sl.info["clipped_fraction"] > 0


@pytest.mark.parametrize("factor", [2.0, 0.5])
def test_trust_region_wrong_radius_fails(m, factor):
    rng = np.random.default_rng(0)
    (r,) = m.trust_region.rows_for("l2", N.L2(), 2, "clipped", 0.3, 2, rng, corrected_radius_factor=factor)
    assert r.verdict == FAIL


# --------------------------------------------------------------------------------------------- poster SD
def test_poster_sd_rows(rows):
    rs = rows["poster-sd"]
    assert len({r.problem for r in rs}) >= 3 and all(r.verdict == PASS for r in rs)
    (w,) = [r for r in rs if r.problem.startswith("quadratic")]
    assert w.ratio == pytest.approx(1.0, rel=1e-12)  # the bound is attained


def test_poster_sd_with_a_wrong_L_fails(m):
    q = problems.ShiftedQuadratic(L=2.0, center=(0.5,), x_start=(-1.0,), name="q")
    (r,) = m.sd_rate.rows_for(q, 5, constants={"L": 2.0 / 3.0})  # γ = 3/L_true: overshoots, f grows
    assert r.verdict == FAIL


# --------------------------------------------------------------------------------------------- unification
def test_unification_rows(rows):
    rs = {(r.claim, r.setting.split(",")[0]): r for r in rows["unification"]}
    assert rs[("unification/rmsprop-to-sign", "β2=0")].verdict == PASS
    assert rs[("unification/adam-to-signum", "β1=0.9")].verdict == ERRATUM
    assert rs[("unification/adam-to-signum", "β1=0")].verdict == PASS
    assert rs[("unification/shampoo-to-spectral", "β2=0")].verdict == PASS
    assert rs[("unification/muon-momentum", "β1=0.9")].verdict == ERRATUM
    assert rs[("unification/rank1-spectral-is-frobenius", "rank 1")].verdict == PASS
    info = rs[("unification/rmsprop-to-sign", "β2=0")].info
    assert info["max_deviation(beta2=0.0001)"] < info["max_deviation(beta2=0.01)"]  # → 0 as β2 → 0


def test_unification_template_reading(m):
    g = np.array([3.0, -0.5, 0.0, 2.0])
    step = m.unification.template_step(np.zeros(4), g, np.diag(g**2), 1.0)
    assert np.array_equal(step, -np.sign(g))  # pseudo-inverse on the zero entry


def test_unification_wrong_settings_fail(m):
    rng = np.random.default_rng(0)
    assert m.unification.rank1_row(5, rng, rank=2).verdict == FAIL
    assert m.unification.rmsprop_row(5, rng, beta2=0.5).verdict == FAIL
    assert m.unification.shampoo_row(5, rng, beta2=0.5).verdict == FAIL


# --------------------------------------------------------------------------------------------- weight decay
def test_weight_decay_rows(rows):
    rs = rows["weight-decay"]
    assert all(r.verdict == PASS for r in rs)
    feas = [r for r in rs if r.claim == "weight-decay/feasible"]
    assert len({r.problem for r in feas}) >= 2 and all(r.measured <= 1.0 + 1e-12 for r in feas)
    assert any(r.claim == "weight-decay/s3cg-is-decoupled-wd" for r in rs)


def test_weight_decay_wrong_lambda_or_coefficient_fails(m):
    p = problems.get("lse")
    assert m.weight_decay.feasible_row(p, 2.0, 1.5, 20, np.random.default_rng(0)).verdict == FAIL
    # η_k instead of γη_k (γ = 0.5)
    assert m.weight_decay.s3cg_wd_row(p, 2.0, 20, coef_scale=1.0).verdict == FAIL


# ----------------------------------------------------------------------------------------- model truncation
def test_model_truncation_rows(rows):
    rs = rows["model-truncation"]
    assert all(r.verdict == PASS for r in rs)
    assert {r.setting.split(",")[0] for r in rs} == {"capped", "polyak"}
    for r in rs:
        assert r.info["max_step_over_rho"] <= 1.0 + 1e-12
        if r.setting.startswith("polyak"):
            assert len(r.results) == 4  # incl. the closest-point check


def test_model_truncation_sign_flip_fails(m):
    p = problems.get("lp_norm", p=4.0, d=10, geometry="l2")
    (r,) = m.model_truncation.rows_for(p, 2, "capped", 0.5, 2, np.random.default_rng(0), sign=-1.0)
    assert r.verdict == FAIL
