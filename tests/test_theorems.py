"""The theorem registry (ggnc_theory.theorems): formulas against hand-computed values, monotonicity in n, the
as-printed vs corrected relations, hypotheses, norm constants and the per-step inequalities."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from ggnc_theory import norms
from ggnc_theory import theorems as T
from ggnc_theory.tolerances import close

# A shared set of inputs; the expected values below are computed by hand from SPEC §3/§7.
D, G, R, N = 2.0, 0.5, 4.0, 8  # Δ, γ, ρ, n


def _close(a: float, b: float) -> bool:
    return close(a, b, factor=10.0)  # hand values carry ~1e-12 relative rounding


# --------------------------------------------------------------------------------------------- registry
def test_registry_contents_and_get():
    ids = set(T.available())
    expected = {
        "prop-4.1",
        "thm-4.3",
        "thm-4.3-corrected",
        "thm-4.3-special",
        "thm-4.3-special-corrected",
        "thm-4.5",
        "poster-sd",
        "thm-4.7",
        "thm-4.7-corrected",
        "thm-4.9",
        "thm-4.9-proof",
        "thm-4.9-corrected",
        "thm-4.11",
        "thm-4.11-corrected",
        "thm-b.5",
        "thm-b.5-corrected",
        "lemma-b.1",
        "lemma-b.2",
        "lemma-b.2-corrected",
        "lemma-b.3",
        "lemma-b.3-corrected",
        "lemma-b.4",
        "lemma-b.4-corrected",
        "trust-region-step",
        "trust-region-step-corrected",
        "product-dual",
        "product-dual-corrected",
    }
    assert expected <= ids
    assert T.get("thm-4.3") is T.THEOREMS["thm-4.3"]
    with pytest.raises(ValueError, match="unknown theorem 'thm-9.9'.*thm-4.3"):
        T.get("thm-9.9")


def test_variants_are_labelled_and_paired():
    for t in T.THEOREMS.values():
        assert t.variant in T.VARIANTS
        if t.counterpart is not None:
            other = T.get(t.counterpart)
            assert other.counterpart == t.id
            assert {t.variant, other.variant} == {"as_printed", "corrected"}
    # every SPEC §8 erratum that concerns a formula has both statements, citing its number
    for printed, corrected, erratum in [
        ("thm-4.3-special", "thm-4.3-special-corrected", "erratum 1"),
        ("thm-4.7", "thm-4.7-corrected", "erratum 2"),
        ("thm-4.9", "thm-4.9-corrected", "erratum 3"),
        ("thm-4.11", "thm-4.11-corrected", "erratum 4"),
        ("lemma-b.2", "lemma-b.2-corrected", "erratum 5"),
        ("lemma-b.4", "lemma-b.4-corrected", "erratum 5"),
        ("lemma-b.3", "lemma-b.3-corrected", "erratum 6"),
        ("product-dual", "product-dual-corrected", "erratum 7"),
        ("trust-region-step", "trust-region-step-corrected", "erratum 8"),
        ("thm-b.5", "thm-b.5-corrected", "erratum 10"),
    ]:
        assert T.get(printed).variant == "as_printed" and T.get(corrected).variant == "corrected"
        assert erratum in T.get(printed).note or erratum in T.get(corrected).note
    assert T.get("thm-4.9-proof").variant == "as_printed" and "proof" in T.get("thm-4.9-proof").reference


def test_rate_theorems_have_a_measure_and_lemmas_do_not():
    for t in T.THEOREMS.values():
        assert (t.measure is not None) == (t.kind == "rate")
        if t.measure:
            assert t.quantity == T.MEASURES[t.measure]
        assert t.id and t.reference and t.statement


def test_theorems_module_is_numpy_only_at_import():
    code = (
        "import sys, ggnc_theory.theorems; "
        "print(','.join(m for m in ('sympy', 'torch', 'scipy', 'problems', 'verify') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == ""


# --------------------------------------------------------------------------------------------- hand values
@pytest.mark.parametrize(
    "tid, constants, params, n, expected",
    [
        # Prop 4.1: Δ/(γρn) + Lγρ/2
        ("prop-4.1", {"Delta": D, "L": 3.0}, {"gamma": G, "rho": R}, N, 2 / 16 + 3.0 * 2 / 2),
        ("prop-4.1", {"Delta": 1.0, "L": 1.0}, {"gamma": 0.1, "rho": 1.0}, 100, 1 / 10 + 0.05),
        # Thm 4.3: √(Δ/(γn)) + 2Δ/(γρn);  corrected √(2Δ/(γn)) + 2Δ/(γρn)
        ("thm-4.3", {"Delta": D}, {"gamma": G, "rho": R}, N, math.sqrt(0.5) + 0.25),
        ("thm-4.3", {"Delta": 8.0}, {"gamma": 1.0, "rho": 2.0}, 2, 2.0 + 4.0),
        ("thm-4.3-corrected", {"Delta": D}, {"gamma": G, "rho": R}, N, 1.0 + 0.25),
        ("thm-4.3-corrected", {"Delta": 8.0}, {"gamma": 1.0, "rho": 2.0}, 2, math.sqrt(8.0) + 4.0),
        # ρ = ∞ (L1 = 0 special case) drops the second term
        ("thm-4.3", {"Delta": 8.0}, {"gamma": 1.0, "rho": math.inf}, 2, 2.0),
        # special case: √(L0Δ/n) + 2L1Δ/n;  corrected √(2L0Δ/n) + 4L1Δ/n
        ("thm-4.3-special", {"Delta": D, "L0": 2.0, "L1": 0.5}, {}, N, math.sqrt(0.5) + 0.25),
        ("thm-4.3-special-corrected", {"Delta": D, "L0": 2.0, "L1": 0.5}, {}, N, 1.0 + 0.5),
        # Thm 4.5: 2Δ/(γρn) + 2L0γρ
        ("thm-4.5", {"Delta": D, "L0": 0.5}, {"gamma": G, "rho": R}, N, 0.25 + 2.0),
        ("thm-4.5", {"Delta": 1.0, "L0": 2.0}, {"gamma": 0.01, "rho": 1.0}, 1000, 0.2 + 0.04),
        # poster SD: √(2LΔ/n)
        ("poster-sd", {"Delta": D, "L": 2.0}, {"gamma": 0.5}, N, 1.0),
        ("poster-sd", {"Delta": 4.5, "L": 1.0}, {"gamma": 1.0}, 1, 3.0),
        # Thm 4.7: 2β√(Δ/(γn)) + 2Δ/(γρn);  corrected 2√2β√(Δ/(γn)) + 2Δ/(γρn)
        ("thm-4.7", {"Delta": D}, {"gamma": G, "rho": R, "beta": 3.0}, N, 6 * math.sqrt(0.5) + 0.25),
        ("thm-4.7-corrected", {"Delta": D}, {"gamma": G, "rho": R, "beta": 3.0}, N, 6.0 + 0.25),
        # Lemma B.1: (1 − α/2)prev + α²σ² + (4γ²ζ*²ρ²/α)(L0² + L1²g²)
        (
            "lemma-b.1",
            {"sigma2": 4.0, "zeta_star": 1.0, "L0": 1.0, "L1": 2.0},
            {"prev_err": 1.0, "alpha": 0.5, "gamma": 0.1, "rho": 2.0, "grad_dual": 3.0},
            1,
            0.75 + 1.0 + 0.32 * 37,
        ),
        # Lemma B.2: 2(σ² + ζ*²L²/L1²)/√n
        ("lemma-b.2", {"sigma2": 1.0, "zeta_star": 2.0, "L": 3.0, "L1": 1.5}, {}, 16, 8.5),
        # Lemma B.3: printed ... + 8ζ*²L²βγ²ρ²/α;  corrected β²
        (
            "lemma-b.3",
            {"sigma2": 4.0, "zeta_star": 1.0, "L": 2.0},
            {"prev_err": 1.0, "alpha": 0.5, "gamma": 0.1, "rho": 2.0, "beta": 3.0},
            1,
            1.75 + 7.68,
        ),
        (
            "lemma-b.3-corrected",
            {"sigma2": 4.0, "zeta_star": 1.0, "L": 2.0},
            {"prev_err": 1.0, "alpha": 0.5, "gamma": 0.1, "rho": 2.0, "beta": 3.0},
            1,
            1.75 + 23.04,
        ),
        # Lemma B.4: (2σ² + 16ζ*²β²)/√n
        ("lemma-b.4", {"sigma2": 1.0, "zeta_star": 1.0}, {"beta": 2.0}, 16, 16.5),
        # trust region: as printed min{ρ, γ‖d‖*}, corrected γ·min{ρ, ‖d‖*}
        ("trust-region-step", {}, {"gamma": 0.1, "rho": 2.0, "d_dual": 5.0}, 1, 0.5),
        ("trust-region-step-corrected", {}, {"gamma": 0.1, "rho": 2.0, "d_dual": 5.0}, 1, 0.2),
        ("trust-region-step-corrected", {}, {"gamma": 0.1, "rho": 2.0, "d_dual": 1.0}, 1, 0.1),
        # product dual: Σ(1/r_l)‖d_l‖* vs Σ r_l‖d_l‖*
        ("product-dual", {}, {"radii": [2.0, 0.5], "block_duals": [1.0, 3.0]}, 1, 0.5 + 6.0),
        ("product-dual-corrected", {}, {"radii": [2.0, 0.5], "block_duals": [1.0, 3.0]}, 1, 2.0 + 1.5),
    ],
)
def test_bound_hand_values(tid, constants, params, n, expected):
    assert _close(T.get(tid).bound(constants, params, n), expected)


# Stochastic theorems at n = 16 with L0 = L1 = L = Δ = σ² = ζ = ζ* = 1 and the prescribed parameters:
# α = 1/4, γ = 1/4, ρ = 1/4, B = 1, ε_n = (7/4)(1/4) + 1/4 = 0.6875.
C49 = {
    "Delta": 1.0,
    "L0": 1.0,
    "L1": 1.0,
    "L": 1.0,
    "sigma2": 1.0,
    "zeta": 1.0,
    "zeta_star": 1.0,
    "lambda1_sq": 0.0,
}


def test_thm_4_9_hand_values():
    p = T.get("thm-4.9").prescribe(C49, 16)
    assert _close(p["alpha"], 0.25) and _close(p["gamma"], 0.25) and _close(p["rho"], 0.25)
    proof = 2 * 0.5 + 4.0 + 2 * math.sqrt(0.6875) + 4 * 0.6875 / 0.25
    assert _close(T.get("thm-4.9-proof").bound(C49, p, 16), proof)
    assert _close(T.get("thm-4.9").bound(C49, p, 16), 2 * proof)
    # safe ε_n = 2ρζ√B + ½ζB = 1 (stationary term = B = 1, initial error 0)
    assert _close(T.get("thm-4.9-corrected").bound(C49, p, 16), 1 + 4 + 2 + 16)


# Thm 4.11 at n = 16, L = Δ = σ² = ζ* = 1, β = 1/2, D₂ = 2: α = γ = 1/4, ρ = 1/2, Λ² = 1.5, M = 4, M′ = 8.
C411 = {"Delta": 1.0, "L": 1.0, "sigma2": 1.0, "zeta_star": 1.0, "D2": 2.0, "lambda1_sq": 0.0}


def test_thm_4_11_hand_values():
    p = {**T.get("thm-4.11").prescribe(C411, 16), "beta": 0.5}
    assert p["variant"] == 1 and _close(p["rho"], 0.5) and _close(p["gamma"], 0.25)
    assert _close(T.get("lemma-b.4").bound(C411, p, 16), 1.5)
    eps = 8 * 0.5 * math.sqrt(1.5) + 4 * 4 * 1.5
    stated = 4 * 0.5 + 8 / (0.25 * 0.5 * 16) + 4 * math.sqrt(eps) + 8 * eps / 0.5
    form32 = 2 / 2 + math.sqrt(eps) + 4 / (0.25 * 0.5 * 16) + eps / 0.5
    assert _close(T.get("thm-4.11").bound(C411, p, 16), stated)
    assert _close(T.get("thm-4.11-corrected").bound(C411, p, 16), form32)
    # Theorem B.5 has the same formulas, for Variant 2
    p2 = {**T.get("thm-b.5").prescribe(C411, 16), "beta": 0.5}
    assert p2["variant"] == 2
    assert _close(T.get("thm-b.5").bound(C411, p2, 16), stated)
    assert _close(T.get("thm-b.5-corrected").bound(C411, p2, 16), form32)


def test_corrected_lemmas_add_the_initial_error():
    # At the prescribed parameters the stationary part equals the printed B (resp. Λ²); the initial error adds
    # (1 − α/2)^{k−1}·E‖λ¹‖², and E‖λ¹‖² ≤ α²σ² + (1 − α)²‖∇f(x¹)‖₂² when only ‖∇f(x¹)‖₂ is known.
    c = dict(C49, lambda1_sq=3.0)
    p = T.get("thm-4.9").prescribe(c, 16)
    B = T.get("lemma-b.2").bound(c, p, 16)
    assert _close(T.get("lemma-b.2-corrected").bound(c, p, 16), B + 3.0)
    assert _close(T.get("lemma-b.2-corrected").bound(c, {**p, "k": 3}, 16), B + 3.0 * (1 - 0.125) ** 2)
    c2 = {k: v for k, v in C49.items() if k != "lambda1_sq"} | {"grad1_l2": 2.0}
    assert _close(T.get("lemma-b.2-corrected").bound(c2, p, 16), B + 0.0625 * 1.0 + 0.5625 * 4.0)
    c4 = dict(C411, lambda1_sq=2.0)
    p4 = {**T.get("thm-4.11").prescribe(c4, 16), "beta": 0.5}
    assert _close(T.get("lemma-b.4-corrected").bound(c4, p4, 16), 1.5 + 2.0)


# --------------------------------------------------------------------------------------------- relations
@pytest.mark.parametrize("n", [1, 4, 100, 10_000])
@pytest.mark.parametrize("beta", [0.1, 1.0, 7.0])
def test_thm_4_7_corrected_dominates_printed(n, beta):
    p = {"gamma": 0.2, "rho": 3.0, "beta": beta}
    printed = T.get("thm-4.7").bound({"Delta": 5.0}, p, n)
    corrected = T.get("thm-4.7-corrected").bound({"Delta": 5.0}, p, n)
    assert corrected >= printed
    # the two differ only in the first term: 2β vs 2√2β
    second = 2 * 5.0 / (0.2 * 3.0 * n)
    assert _close(corrected - second, math.sqrt(2) * (printed - second))


@pytest.mark.parametrize("n", [16, 100, 4096])
@pytest.mark.parametrize("sigma2", [0.0, 1.0, 9.0])
def test_thm_4_9_stated_is_twice_the_proof_and_corrected_dominates_the_proof(n, sigma2):
    c = dict(C49, sigma2=sigma2, L0=2.0, L1=0.5, zeta=3.0)
    p = T.get("thm-4.9").prescribe(c, n)
    proof = T.get("thm-4.9-proof").bound(c, p, n)
    assert _close(T.get("thm-4.9").bound(c, p, n), 2.0 * proof)
    # same ε_n inputs (initial error 0, prescribed parameters): the safe constants 2, ½ dominate 7/4, 1/4
    assert T.get("thm-4.9-corrected").bound(c, p, n) >= proof


def test_thm_4_3_relations():
    for n in (1, 10, 1000):
        p = {"gamma": 0.3, "rho": 2.0}
        assert T.get("thm-4.3-corrected").bound({"Delta": 3.0}, p, n) > T.get("thm-4.3").bound(
            {"Delta": 3.0}, p, n
        )
    # the special cases are the general printed formula at their parameters
    c = {"Delta": 3.0, "L0": 2.0, "L1": 0.25}
    for tid in ("thm-4.3-special", "thm-4.3-special-corrected"):
        t = T.get(tid)
        p = t.prescribe(c, 50)
        assert _close(t.bound(c, p, 50), T.get("thm-4.3").bound(c, p, 50))


def test_lemma_b3_printed_vs_corrected_differ_by_beta():
    c = {"sigma2": 0.0, "zeta_star": 1.5, "L": 2.0}
    p = {"prev_err": 0.0, "alpha": 0.3, "gamma": 0.1, "rho": 2.0, "beta": 4.0}
    assert _close(T.get("lemma-b.3-corrected").bound(c, p, 1), 4.0 * T.get("lemma-b.3").bound(c, p, 1))


def test_product_dual_corrected_matches_the_product_norm():
    rng = np.random.default_rng(0)
    g = (rng.standard_normal((3, 4)), rng.standard_normal(5))
    geo = norms.Product(blocks=(norms.Spectral(), norms.Linf()), radii=(2.0, 0.5))
    duals = [float(norms.Spectral().dual(g[0])), float(norms.Linf().dual(g[1]))]
    p = {"radii": [2.0, 0.5], "block_duals": duals}
    assert _close(T.get("product-dual-corrected").bound({}, p, 1), float(geo.dual(g)))
    assert not _close(T.get("product-dual").bound({}, p, 1), float(geo.dual(g)))


# --------------------------------------------------------------------------------------------- monotonicity
@pytest.mark.parametrize(
    "tid", ["prop-4.1", "thm-4.3", "thm-4.3-corrected", "thm-4.5", "thm-4.7", "thm-4.7-corrected"]
)
def test_fixed_parameter_bounds_decrease_in_n(tid):
    c, p = {"Delta": 2.0, "L": 1.0, "L0": 1.0}, {"gamma": 0.1, "rho": 1.5, "beta": 1.0}
    vals = [T.get(tid).bound(c, p, n) for n in (1, 2, 10, 100, 1000, 10**5)]
    assert all(a > b for a, b in itertools.pairwise(vals))


def test_thm_4_5_has_a_floor_and_thm_4_3_does_not():
    c, p = {"Delta": 2.0, "L0": 3.0}, {"gamma": 0.1, "rho": 1.5}
    assert _close(T.get("thm-4.5").bound(c, p, 10**12), 2 * 3.0 * 0.15)
    assert T.get("thm-4.3").bound(c, p, 10**12) < 1e-4


@pytest.mark.parametrize(
    "tid",
    [
        "thm-4.3-special",
        "thm-4.3-special-corrected",
        "poster-sd",
        "thm-4.9",
        "thm-4.9-proof",
        "thm-4.9-corrected",
        "thm-4.11",
        "thm-4.11-corrected",
        "thm-b.5",
        "thm-b.5-corrected",
    ],
)
def test_prescribed_bounds_decrease_in_n(tid):
    c = {**C49, **C411, "L0": 4.0, "L1": 1.0, "L": 4.0, "Delta": 10.0}
    t = T.get(tid)
    vals = []
    for n in (16, 256, 4096, 65536):
        p = {"beta": 1.0, **t.prescribe(c, n)}
        vals.append(t.bound(c, p, n))
    assert all(a > b for a, b in itertools.pairwise(vals))


def test_stochastic_rates_are_n_to_the_minus_quarter():
    # with the prescribed parameters every term scales as n^{-1/4}: ×16 in n halves the bound exactly
    c = {**C49, **C411, "L0": 4.0, "L1": 1.0, "L": 4.0, "Delta": 10.0}
    for tid in ("thm-4.9", "thm-4.9-corrected", "thm-4.11", "thm-4.11-corrected"):
        t = T.get(tid)
        b = [t.bound(c, {"beta": 1.0, **t.prescribe(c, n)}, n) for n in (256, 4096)]
        assert close(b[0] / b[1], 2.0, factor=1e4)  # the initial-error term (0 here) would break exactness


# --------------------------------------------------------------------------------------------- hypotheses
def test_thm_4_3_special_case_violates_exactly_the_thm_4_3_hypothesis():
    c = {"Delta": 1.0, "L0": 2.0, "L1": 0.5}
    t = T.get("thm-4.3-special")
    p = t.prescribe(c, 10)
    assert p == {"gamma": 0.5, "rho": 4.0, "alpha": 1.0}
    assert t.check_hypotheses(c, p) == ["gamma <= 1/(L0 + rho*L1) (Thm 4.3)"]
    assert not t.applies(c, p)
    # the consistent choice meets it with equality, despite rounding in L0/L1·L1
    tc = T.get("thm-4.3-special-corrected")
    c3 = {"Delta": 1.0, "L0": 0.7, "L1": 0.3}
    assert tc.check_hypotheses(c3, tc.prescribe(c3, 10)) == []


@pytest.mark.parametrize(
    "tid, params, failing",
    [
        ("thm-4.3", {"gamma": 0.25, "rho": 1.0, "alpha": 1.0}, ["gamma <= 1/(L0 + rho*L1) (Thm 4.3)"]),
        ("thm-4.3", {"gamma": 0.1, "rho": 1.0, "alpha": 0.5}, ["deterministic"]),
        ("thm-4.3", {"gamma": 0.1, "rho": 1.0, "stochastic": True}, ["deterministic"]),
        ("thm-4.5", {"gamma": 0.6, "rho": 1.0}, ["gamma*rho <= 1/(2*L1)"]),
        ("thm-4.7", {"gamma": 0.1, "rho": 9.0, "beta": 1.0}, ["rho <= L"]),
        ("thm-4.7", {"gamma": 0.3, "rho": 1.0, "beta": 1.0}, ["gamma <= 1/L (Thm 4.7)"]),
        ("poster-sd", {"gamma": 0.1}, ["gamma = 1/L"]),
        ("thm-4.9", {"gamma": 0.5, "rho": 0.02, "alpha": 0.1}, ["gamma <= 1/L0"]),
    ],
)
def test_hypotheses_report_exactly_the_failing_one(tid, params, failing):
    c = {"L0": 4.0, "L1": 1.0, "L": 4.0, "Delta": 1.0}
    failed = T.get(tid).check_hypotheses(c, params, n=100)
    assert len(failed) == len(failing)
    for f, want in zip(failed, failing):
        assert f.startswith(want)


def test_stochastic_prescriptions_meet_their_hypotheses():
    c = {**C49, **C411}
    for tid in ("thm-4.9", "thm-4.9-proof", "thm-4.9-corrected", "thm-4.11", "thm-4.11-corrected"):
        t = T.get(tid)
        for n in (1, 16, 1000):
            assert t.check_hypotheses(c, t.prescribe(c, n), n) == [], (tid, n)
    # Variant 2 parameters do not satisfy Theorem 4.11 (Variant 1), and α ≠ 1/√n violates Lemma B.2
    p = T.get("thm-b.5").prescribe(c, 16)
    assert T.get("thm-4.11").check_hypotheses(c, p, 16) == ["variant = 1 (Thm 4.11 (Algorithm 2, Variant 1))"]
    p = dict(T.get("thm-4.9").prescribe(c, 16), alpha=0.5)
    assert [f.split(" (")[0] for f in T.get("thm-4.9").check_hypotheses(c, p, 16)] == ["alpha = 1/sqrt(n)"]
    assert T.get("thm-4.9-corrected").check_hypotheses(c, p, 16) == []


def test_l1_zero_removes_the_l1_constraints():
    c = {"L0": 1.0, "L1": 0.0, "Delta": 1.0}
    assert T.get("thm-4.5").check_hypotheses(c, {"gamma": 10.0, "rho": 10.0}) == []
    assert T.get("thm-4.3").check_hypotheses(c, {"gamma": 1.0, "rho": 1e9}) == []
    p = T.get("thm-4.3-special").prescribe({**c, "L1": 0.0}, 5)
    assert p["rho"] == math.inf
    # with L1 = 0 the special choice γ = 1/L0, ρ = ∞ is consistent: L0 + ρL1 = L0
    assert T.get("thm-4.3-special").check_hypotheses(c, p) == []
    assert _close(T.get("thm-4.3-special").bound(c, p, 4), math.sqrt(1.0 / 4))


def test_missing_inputs_are_named():
    with pytest.raises(ValueError, match="thm-4.3: missing constant 'Delta'"):
        T.get("thm-4.3").bound({}, {"gamma": 1.0, "rho": 1.0}, 3)
    with pytest.raises(ValueError, match="missing parameter 'rho'"):
        T.get("thm-4.3").check_hypotheses({"L0": 1.0, "L1": 1.0}, {"gamma": 1.0})
    with pytest.raises(ValueError, match="depends on the horizon"):
        T.get("thm-4.9").check_hypotheses(C49, {"gamma": 0.1, "rho": 0.1, "alpha": 0.1})
    with pytest.raises(ValueError, match="missing constant 'grad1_l2'"):
        T.get("thm-4.9-corrected").bound(
            {k: v for k, v in C49.items() if k != "lambda1_sq"}, T.get("thm-4.9").prescribe(C49, 16), 16
        )
    with pytest.raises(ValueError, match="n must be a positive integer"):
        T.get("thm-4.3").bound({"Delta": 1.0}, {"gamma": 1.0, "rho": 1.0}, 0)
    with pytest.raises(ValueError, match="gamma must be finite and > 0"):
        T.get("thm-4.3").bound({"Delta": 1.0}, {"gamma": -1.0, "rho": 1.0}, 3)
    with pytest.raises(ValueError, match="prescribes no parameter"):
        T.get("thm-4.5").prescribe({"L0": 1.0}, 3)


# --------------------------------------------------------------------------------------------- norm constants
@pytest.mark.parametrize(
    "norm, shape, beta, expected",
    [
        ("l2", 7, 1.0, (1.0, 1.0, 2.0)),
        (norms.Frobenius(), (3, 5), 2.0, (1.0, 1.0, 4.0)),
        (norms.Linf(), 9, 1.5, (3.0, 1.0, 9.0)),
        (norms.L1(), 16, 1.0, (1.0, 4.0, 2.0)),
        (norms.Spectral(), (4, 9), 1.0, (2.0, 1.0, 4.0)),
        (norms.Nuclear(), (9, 4), 1.0, (1.0, 2.0, 2.0)),
    ],
)
def test_norm_constants_table(norm, shape, beta, expected):
    got = T.norm_constants(norm, shape, beta=beta)
    assert all(_close(got[k], v) for k, v in zip(("zeta", "zeta_star", "D2"), expected))


@pytest.mark.parametrize(
    "norm, shape",
    [
        (norms.L2(), (6,)),
        (norms.Linf(), (6,)),
        (norms.L1(), (6,)),
        (norms.Lp(p=3.0), (6,)),
        (norms.Lp(p=1.5), (6,)),
        (norms.Spectral(), (3, 5)),
        (norms.Spectral(rms=True), (3, 5)),
        (norms.Nuclear(), (3, 5)),
        (norms.Frobenius(), (3, 5)),
        (norms.Sign(), (3, 5)),
    ],
)
def test_norm_constants_bound_and_are_attained(norm, shape):
    """ζ ≥ ‖x‖_*/‖x‖₂ and ζ_* ≥ ‖x‖₂/‖x‖_* on samples, with equality at extremal points; D₂ is the
    Euclidean diameter of βD (attained by ±β·lmo)."""
    beta = 1.7
    k = T.norm_constants(norm, shape, beta=beta)
    rng = np.random.default_rng(1)
    r_dual, r_two = [], []
    cands = [rng.standard_normal(shape) for _ in range(200)]
    single = np.zeros(shape)
    single.flat[0] = 1.0
    cands += [np.ones(shape), single, np.eye(*shape) if len(shape) == 2 else single]
    for x in cands:
        two = np.linalg.norm(x)
        r_dual.append(float(norm.dual(x)) / two)
        r_two.append(two / float(norm.dual(x)))
        # lmo of any direction lies on the sphere of radius β, so their distance is ≤ D₂
        s1, s2 = norm.lmo(x, beta), norm.lmo(-x, beta)
        assert np.linalg.norm(s1 - s2) <= k["D2"] * (1 + 1e-12)
    assert max(r_dual) <= k["zeta"] * (1 + 1e-12) and max(r_two) <= k["zeta_star"] * (1 + 1e-12)
    assert max(r_dual) >= k["zeta"] * (1 - 1e-9) and max(r_two) >= k["zeta_star"] * (1 - 1e-9)


@pytest.mark.parametrize(
    "norm, shape",
    [(norms.L2(), (6,)), (norms.Linf(), (6,)), (norms.L1(), (6,)), (norms.Lp(p=3.0), (6,)),
     (norms.Lp(p=1.5), (6,)), (norms.Spectral(), (3, 5)), (norms.Spectral(rms=True), (5, 3)),
     (norms.Nuclear(), (3, 5)), (norms.Frobenius(), (3, 5)), (norms.Sign(), (3, 5)),
     (norms.Sign(normalized=False), (3, 5))],
)
def test_zeta_star_is_the_primal_l2_equivalence(norm, shape):
    """Two derivations of ζ_*: norm_constants' max ‖g‖₂/‖g‖_* (dual side) equals the norm's own
    l2_equivalence = max ‖x‖/‖x‖₂ (primal side) — the same number by duality."""
    assert _close(T.norm_constants(norm, shape)["zeta_star"], norm.l2_equivalence(np.zeros(shape)))


def test_norm_constants_reject_unsupported_norms():
    with pytest.raises(ValueError, match="ColNorm"):
        T.norm_constants(norms.ColNorm(), (3, 4))
    with pytest.raises(ValueError, match="Spectral needs a matrix shape"):
        T.norm_constants("spectral", 5)
    with pytest.raises(ValueError, match="unknown norm"):
        T.norm_constants("l7", 5)


# ------------------------------------------------------------------------------------- per-step functions
def test_per_step_inequalities_hand_values():
    g = np.array([0.5, 2.0, 8.0])
    # GGNC: (γ/2)·min{g², ρg} with γ = 0.5, ρ = 2: both regimes
    assert np.allclose(T.ggnc_descent(g, 0.5, 2.0), [0.0625, 1.0, 4.0], rtol=0, atol=1e-15)
    # SD: γ(1 − γL/2)g² with γ = 0.5, L = 2
    assert np.allclose(T.sd_descent(g, 0.5, 2.0), 0.25 * g * g, rtol=0, atol=1e-15)
    # uCG: γρg − Lγ²ρ²/2 (negative near stationarity)
    assert np.allclose(T.ucg_descent(g, 0.5, 2.0, 4.0), g - 2.0, rtol=0, atol=1e-15)
    # Thm 4.5 loose: (1 − L1γρ)γρg − L0γ²ρ² with γρ = 1, L1 = 0.25, L0 = 1
    assert np.allclose(T.ucg_descent_loose(g, 0.5, 2.0, 1.0, 0.25), 0.75 * g - 1.0, rtol=0, atol=1e-15)
    # S3CG: Case I (γρ/2)gap, Case II (γ/2)ηgap corrected vs γηgap printed
    gap, eta, clip = np.array([3.0, 3.0]), np.array([2.0, 0.5]), np.array([True, False])
    assert np.allclose(T.s3cg_descent(gap, eta, 0.5, 2.0, clip), [1.5, 0.375], rtol=0, atol=1e-15)
    assert np.allclose(
        T.s3cg_descent(gap, eta, 0.5, 2.0, clip, variant="as_printed"), [1.5, 0.75], rtol=0, atol=1e-15
    )
    # (L0,L1) and L-smooth lemmas: −⟨∇f, y − x⟩ − ((L0 + L1‖∇f‖*)/2)‖y − x‖²
    assert np.isclose(T.l0l1_descent(-2.0, 3.0, 0.5, 1.0, 2.0), 2.0 - 0.5 * 7.0 * 0.25)
    assert np.isclose(T.l_smooth_descent(-2.0, 0.5, 4.0), 2.0 - 0.5)
    with pytest.raises(ValueError, match="variant"):
        T.s3cg_descent(gap, eta, 0.5, 2.0, clip, variant="v1")


def test_descent_rules_registry():
    assert set(T.DESCENT_RULES) == {
        "ggnc",
        "sd",
        "ucg",
        "ucg-l0l1-loose",
        "s3cg",
        "s3cg-as-printed",
        "l0l1",
        "l-smooth",
    }
    assert (
        T.get_rule("s3cg").counterpart == "s3cg-as-printed"
        and "erratum 2" in T.get_rule("s3cg-as-printed").note
    )
    assert T.get_rule("ggnc").check_hypotheses({"L0": 1.0, "L1": 1.0}, {"gamma": 0.6, "rho": 1.0}) == [
        "gamma <= 1/(L0 + rho*L1) (Thm 4.3)"
    ]
    with pytest.raises(ValueError, match="unknown descent rule"):
        T.get_rule("adam")


def test_statements_are_json_friendly():
    json.dumps({t.id: [t.statement, t.quantity, t.note, sorted(t.assumptions)] for t in T.THEOREMS.values()})
