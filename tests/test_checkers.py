"""The checkers (verify): every checker passes on a correct run and FAILS on a deliberately wrong algorithm or
constant — clipping in the wrong norm, γ above its hypothesis, a dropped ½, the wrong sign of the lmo step."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from _toy import Huber, LogSumExp, Quadratic, ShiftedQuadratic, ZigZag

import verify
from ggnc_theory import algorithms as A
from ggnc_theory import norms as N
from ggnc_theory import run
from ggnc_theory import theorems as T
from ggnc_theory.tolerances import tolerance
from verify import (
    CheckResult,
    check_descent,
    check_feasibility,
    check_hypothesis_symbolic,
    check_rate,
    check_step_length,
)
from verify._result import judge


# ------------------------------------------------------------------------------ deliberately wrong algorithms
def _flip(alg: A.Algorithm) -> A.Algorithm:
    """The step reflected, x^{k+1} = x^k − (x^{k+1}_correct − x^k): the lmo's sign flipped."""

    def step(x, g, s):
        x_next, s_next, info = alg.step(x, g, s)
        return 2 * x - x_next, s_next, info

    return A.Algorithm(name=alg.name, params=alg.params, norm=alg.norm, init=alg.init, step=step)


def _drop_feasible_init(alg: A.Algorithm) -> A.Algorithm:
    return A.Algorithm(
        name=alg.name, params=alg.params, norm=alg.norm, init=lambda x: A.State(d=0 * x, k=0), step=alg.step
    )


# --------------------------------------------------------------------------------------------- problems
def _lq(d: int = 5) -> Quadratic:
    """f = ½‖x‖₂² judged in ℓ∞: L0 = ‖I‖_{∞→1} = d, L1 = 0."""
    return Quadratic(a=np.ones(d), x0=np.linspace(1.0, 2.0, d), norm=N.Linf())


QUAD = Quadratic(a=np.array([1.0, 2.0, 4.0]), x0=np.array([3.0, -2.0, 1.0]))  # ℓ2: L = L0 = 4


# ----------------------------------------------------------------------------------- pass rule and record
def test_judge_is_the_tolerance_rule():
    tol = tolerance("float64", scale=2.0)
    b = 3.0
    edge = b + tol.atol + tol.rtol * abs(b)
    assert judge("c", edge, b, tol).holds and tol.leq(edge, b)
    over = np.nextafter(edge + 4 * np.spacing(edge), np.inf)
    assert not judge("c", over, b, tol).holds and not tol.leq(over, b)
    r = judge("c", 1.0, 4.0, tol)
    assert (r.ratio, r.slack, r.tolerance, r.status) == (0.25, 3.0, (tol.rtol, tol.atol), "PASS")


def test_claim_and_inequality_modes():
    tol = tolerance()
    vac = judge("c", 2.0, 1.0, tol, applicable=False, hypotheses_failed=["gamma <= 1/L"])
    assert vac.passed and not vac.holds and vac.status == "N/A" and "gamma <= 1/L" in vac.message
    strict = judge(
        "c", 2.0, 1.0, tol, applicable=False, hypotheses_failed=["gamma <= 1/L"], mode="inequality"
    )
    assert not strict.passed and strict.status == "FAIL"
    assert judge("c", 2.0, 1.0, tol).status == "FAIL"
    with pytest.raises(ValueError, match="mode"):
        judge("c", 1.0, 1.0, tol, mode="lenient")


def test_to_dict_is_json_and_deterministic():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 40)
    r = check_descent(t, "ggnc", {"L0": 4.0, "L1": 0.0})
    d1, d2 = r.to_dict(), check_descent(t, "ggnc", {"L0": 4.0, "L1": 0.0}).to_dict()
    s = json.dumps(d1, sort_keys=True, allow_nan=False)
    assert s == json.dumps(d2, sort_keys=True, allow_nan=False)
    assert d1["status"] == "PASS" and d1["tolerance"]["rtol"] == r.tolerance[0]
    tricky = CheckResult(
        "x",
        True,
        math.nan,
        math.inf,
        math.nan,
        -math.inf,
        (0.0, 0.0),
        None,
        {"a": (1, 2)},
        "m",
        details={"s": {3, 1}, "v": np.float64(2.5), "arr": np.arange(2)},
    )
    d = tricky.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["measured"] == "nan" and d["bound"] == "inf" and d["details"]["arr"] == [0, 1]


# --------------------------------------------------------------------------------------------- check_descent
def test_ggnc_descent_passes_in_both_regimes():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 200)
    r = check_descent(t, "ggnc", {"L0": 4.0, "L1": 0.0})
    assert r.passed and r.applicable and r.status == "PASS"
    assert r.details["regimes"]["clipped"] > 0 and r.details["regimes"]["unclipped"] > 0
    assert r.details["violations_by_regime"] == {"clipped": 0, "unclipped": 0}
    assert 0 < r.details["run_clipped_fraction"] < 1


def test_ggnc_descent_catches_clipping_in_the_wrong_norm():
    q = _lq()
    cons = {"L0": 5.0, "L1": 0.0}  # ℓ∞ constants of ½‖x‖²
    good = run(A.ggnc(N.Linf(), 1 / 5.0, 3.0), q, 30, keep_iterates=True)
    bad = run(A.ggnc(N.L2(), 1 / 5.0, 3.0), q, 30, keep_iterates=True)  # clips and steps in ℓ2
    assert check_descent(good, "ggnc", cons, norm=N.Linf()).status == "PASS"
    r = check_descent(bad, "ggnc", cons, norm=N.Linf())
    assert r.status == "FAIL" and r.applicable and r.details["n_violations"] > 0
    assert r.worst_step is not None and r.measured > r.bound


def test_ggnc_descent_gamma_above_hypothesis_breaks_descent():
    q = Quadratic(a=np.array([2.0]), x0=np.array([1.0]))
    t = run(A.ggnc(N.L2(), 1.9 / 2.0, 100.0), q, 10)  # γ = 1.9/L0 > 1/(L0 + ρL1)
    vac = check_descent(t, "ggnc", {"L0": 2.0, "L1": 0.0})
    assert vac.passed and not vac.applicable and not vac.holds and vac.status == "N/A"
    assert vac.hypotheses_failed == ("gamma <= 1/(L0 + rho*L1) (Thm 4.3)",)
    assert not check_descent(t, "ggnc", {"L0": 2.0, "L1": 0.0}, mode="inequality").passed
    # a wrong (too small) constant makes the hypothesis look satisfied: the claim is then falsified
    wrong = check_descent(t, "ggnc", {"L0": 1.0, "L1": 0.0})
    assert wrong.applicable and wrong.status == "FAIL"


def test_ggnc_descent_catches_the_wrong_lmo_sign():
    alg = A.ggnc(N.Linf(), 0.1, 2.0)
    q = LogSumExp(x0=np.array([1.0, -0.5, 2.0, 0.0]), mu=0.1)
    cons = {"L0": 1.0 + 0.1 * 4, "L1": 0.0}  # ℓ∞: Hessian of LSE ≤ 1 in ‖·‖_{∞→1}, plus μ·d for ½μ‖x‖²
    assert check_descent(run(alg, q, 50), "ggnc", cons).status == "PASS"
    r = check_descent(run(_flip(alg), q, 50), "ggnc", cons)
    assert r.status == "FAIL" and r.details["n_violations"] == r.details["n_steps"]


def test_sd_and_ucg_descent_with_true_and_wrong_L():
    sd = run(A.steepest_descent(N.L2(), 0.25), QUAD, 40)
    assert check_descent(sd, "sd", {"L": 4.0}).status == "PASS"
    assert check_descent(sd, "sd", {"L": 1.0}).status == "FAIL"
    # uCG on f = (L0/2)x² from x¹ = γρ/2 oscillates (SPEC §3.4); the L-smooth inequality is tight there
    L0, gr = 2.0, 0.5
    osc = Quadratic(a=np.array([L0]), x0=np.array([gr / 2]))
    t = run(A.ucg(N.L2(), 0.25, 2.0), osc, 30)
    assert check_descent(t, "ucg", {"L": L0}).status == "PASS"
    assert check_descent(t, "ucg", {"L": L0 / 2}).status == "FAIL"
    # Theorem 4.5's loose per-step form
    t2 = run(A.ucg(N.L2(), 0.05, 1.0), QUAD, 60)
    assert check_descent(t2, "ucg-l0l1-loose", {"L0": 4.0, "L1": 1.0}).status == "PASS"
    assert check_descent(t2, "ucg-l0l1-loose", {"L0": 0.1, "L1": 0.0}).status == "FAIL"
    # a rule for another algorithm is not applicable
    other = check_descent(t2, "ggnc", {"L0": 4.0, "L1": 0.0})
    assert not other.applicable and "the run is ggnc" in other.hypotheses_failed[0]


def _s3cg_problem(L: float = 4.0) -> ShiftedQuadratic:
    """f = (L/2)‖x − m‖², m inside the unit ℓ2 ball: Case II steps are tight for the corrected inequality."""
    m = np.array([0.5, 0.0, 0.0])
    return ShiftedQuadratic(a=np.full(3, L), m=m, x0=np.array([-0.9, 0.0, 0.0]))


def test_s3cg_descent_corrected_passes_and_printed_drops_a_half():
    L = 4.0
    t = run(A.s3cg(N.L2(), 1 / L, L / 4, beta=1.0), _s3cg_problem(L), 40)
    ok = check_descent(t, "s3cg", {"L": L})
    assert (
        ok.status == "PASS" and ok.details["regimes"]["case_I"] > 0 and ok.details["regimes"]["case_II"] > 0
    )
    r = check_descent(t, "s3cg-as-printed", {"L": L})
    assert r.status == "FAIL"
    assert (
        r.details["violations_by_regime"]["case_I"] == 0 and r.details["violations_by_regime"]["case_II"] > 0
    )


def test_s3cg_descent_catches_the_wrong_lmo_sign():
    L = 4.0
    alg = A.s3cg(N.L2(), 1 / L, L / 4, beta=1.0)
    q = _s3cg_problem(L)
    assert check_descent(run(alg, q, 20), "s3cg", {"L": L}).status == "PASS"
    assert check_descent(run(_flip(alg), q, 20), "s3cg", {"L": L}).status == "FAIL"


def test_generic_descent_lemmas():
    q = LogSumExp(x0=np.array([1.0, -0.5, 2.0]), mu=0.1)
    t = run(A.ggnc(N.Linf(), 0.2, 1.0), q, 40, keep_iterates=True)
    L0 = 1.0 + 0.1 * 3
    assert check_descent(t, "l0l1", {"L0": L0, "L1": 0.0}).status == "PASS"
    assert check_descent(t, "l-smooth", {"L": L0}).status == "PASS"
    assert check_descent(t, "l-smooth", {"L": 0.01}).status == "FAIL"
    # with L1 > 0 steps longer than 1/L1 are outside the assumption and skipped
    r = check_descent(t, "l0l1", {"L0": 0.01, "L1": 10.0})
    assert r.details["skipped_steps_beyond_1_over_L1"] > 0
    # the same run judged in ℓ2 with the ℓ2 constant of LSE + ½μ‖x‖² (Hessian ≤ 1/2 + μ) also holds
    assert check_descent(t, "l-smooth", {"L": 0.6}, norm=N.L2()).status == "PASS"


def test_descent_needs_every_step_and_iterates():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 20, record_every=3)
    with pytest.raises(ValueError, match="record_every=1"):
        check_descent(t, "ggnc", {"L0": 4.0, "L1": 0.0})
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 20)
    with pytest.raises(ValueError, match="keep_iterates=True"):
        check_descent(t, "l-smooth", {"L": 4.0})
    with pytest.raises(ValueError, match="missing constant 'L0'"):
        check_descent(t, "ggnc", {})


def test_descent_defaults_to_recorded_constants():
    class Q(Quadratic):
        L0, L1 = 4.0, 0.0

    q = Q(a=QUAD.a, x0=QUAD.x0)
    t = run(A.ggnc(N.L2(), 0.2, 1.0), q, 20)
    assert check_descent(t, "ggnc").status == "PASS"


# --------------------------------------------------------------------------------------------- check_rate
def test_thm_4_3_as_printed_fails_on_a_huber_function_and_the_correction_holds():
    """[derived] GD with γ = 1/L on the linear piece of a Huber function: ‖∇f‖ = Lc for n steps,
    Δ = Lc²(n − ½),
    so min_k ‖∇f(x^k)‖ = Lc > √(LΔ/n) + 2Δ/(γρn) when ρ is large; √(2LΔ/n) + … holds."""
    n, L, c = 20, 2.0, 0.5
    h = Huber(x0=np.array([n * c]), L=L, c=c)
    t = run(A.ggnc(N.L2(), 1 / L, 100 * n * L * c), h, n)
    cons = {"L0": L, "L1": 0.0, "f_star": 0.0}
    printed = check_rate(t, "thm-4.3", cons, measure="min_grad")
    assert printed.applicable and printed.status == "FAIL"
    assert check_rate(t, "thm-4.3", cons).status == "FAIL"  # the average too
    ok = check_rate(t, "thm-4.3-corrected", cons)
    assert ok.status == "PASS" and ok.details["counterpart"]["id"] == "thm-4.3"
    assert ok.details["counterpart"]["bound"] < ok.measured < ok.bound


@pytest.mark.parametrize("n", [3, 20, 200])
def test_thm_4_3_as_printed_fails_even_counting_the_last_iterate(n):
    """[derived] On ZigZag, GD (GGNC with ρ large, L1 = 0, γ = 1/L0) keeps |f′| = m at x¹, …, x^{n+1} while
    Δ = (3n/4 + 1/2)m²/L0, so √(L0Δ/n) < m for n ≥ 3 whichever iterates the min runs over."""
    L, m = 2.0, 1.5
    z = ZigZag(x0=np.array([(n + 1) * m / L]), L=L, m=m)
    t = run(A.ggnc(N.L2(), 1 / L, 1e3 * m * n), z, n)
    assert np.allclose(t.grad_dual_norm, m) and np.isclose(t.grad_dual_norm_final, m)
    cons = {"L0": L, "L1": 0.0, "f_star": 0.0}
    printed = check_rate(t, "thm-4.3", cons, measure="min_grad")
    assert printed.status == "FAIL" and printed.bound < min(t.grad_dual_norm_final, m)
    assert check_rate(t, "thm-4.3-corrected", cons, measure="min_grad").status == "PASS"
    assert check_descent(t, "ggnc", cons).status == "PASS"  # the per-step inequality itself holds
    # n = 1 on a quadratic: min_{k≤1} |f′| = |f′(x¹)| = √(2L0Δ) > √(L0Δ) + 2L0Δ/ρ for ρ ≥ 10|f′(x¹)|
    q = Quadratic(a=np.array([L]), x0=np.array([1.5]))
    t1 = run(A.ggnc(N.L2(), 1 / L, 10 * L * 1.5), q, 1)
    assert check_rate(t1, "thm-4.3", cons).status == "FAIL"
    assert check_rate(t1, "thm-4.3-corrected", cons).status == "PASS"


def test_thm_4_3_passes_on_a_quadratic_and_fails_with_a_wrong_delta():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 100)
    cons = {"L0": 4.0, "L1": 0.0, "f_star": 0.0}
    for tid in ("thm-4.3", "thm-4.3-corrected"):
        assert check_rate(t, tid, cons).status == "PASS"
    assert check_rate(t, "thm-4.3-corrected", {"L0": 4.0, "L1": 0.0, "Delta": 1e-4}).status == "FAIL"


def test_thm_4_3_special_case_is_not_applicable():
    c = {"L0": 4.0, "L1": 0.5, "f_star": 0.0}
    p = T.get("thm-4.3-special").prescribe(c, 50)
    t = run(A.ggnc(N.L2(), p["gamma"], p["rho"]), QUAD, 50)
    r = check_rate(t, "thm-4.3-special", c)
    assert r.status == "N/A" and r.hypotheses_failed == ("gamma <= 1/(L0 + rho*L1) (Thm 4.3)",)
    pc = T.get("thm-4.3-special-corrected").prescribe(c, 50)
    t2 = run(A.ggnc(N.L2(), pc["gamma"], pc["rho"]), QUAD, 50)
    assert check_rate(t2, "thm-4.3-special-corrected", c).status == "PASS"


def test_ucg_rates_on_the_oscillating_instance():
    # f = (L0/2)x², x¹ = γρ/2: |f'(x^k)| = L0γρ/2 for every k (SPEC §3.4)
    L0, gamma, rho = 2.0, 0.25, 2.0
    osc = Quadratic(a=np.array([L0]), x0=np.array([gamma * rho / 2]))
    t = run(A.ucg(N.L2(), gamma, rho), osc, 200)
    assert np.allclose(t.grad_dual_norm, L0 * gamma * rho / 2)
    cons = {"L": L0, "L0": L0, "L1": 0.0, "f_star": 0.0}
    assert check_rate(t, "prop-4.1", cons).status == "PASS"
    assert check_rate(t, "thm-4.5", cons).status == "PASS"
    assert check_rate(t, "prop-4.1", {**cons, "L": L0 / 4}).status == "FAIL"


def test_poster_sd_rate():
    sd = run(A.steepest_descent(N.L2(), 0.25), QUAD, 30)
    assert check_rate(sd, "poster-sd", {"L": 4.0, "f_star": 0.0}).status == "PASS"
    q = LogSumExp(x0=np.array([1.0, -0.5, 2.0]), mu=0.1)
    L = 1.3  # ℓ∞ geometry
    t = run(A.steepest_descent(N.Linf(), 1 / L), q, 30)
    f_star = float(run(A.steepest_descent(N.Linf(), 1 / L), q, 3000).f_final)
    assert check_rate(t, "poster-sd", {"L": L, "f_star": f_star - 1e-12}).status == "PASS"
    assert check_rate(t, "poster-sd", {"L": L, "Delta": 1e-6}).status == "FAIL"
    # γ ≠ 1/L: the printed rate does not apply
    assert check_rate(sd, "poster-sd", {"L": 8.0, "f_star": 0.0}).status == "N/A"


def test_thm_4_7_rates():
    L = 4.0
    q = _s3cg_problem(L)
    t = run(A.s3cg(N.L2(), 1 / L, L / 4, beta=1.0), q, 60)
    cons = {"L": L, "f_star": 0.0}
    for tid in ("thm-4.7", "thm-4.7-corrected"):
        assert check_rate(t, tid, cons).status == "PASS"
    assert check_rate(t, "thm-4.7-corrected", {"L": L, "Delta": 1e-6}).status == "FAIL"
    # the same gap re-measured from the iterates in the given geometry
    t2 = run(A.s3cg(N.L2(), 1 / L, L / 4, beta=1.0), q, 60, keep_iterates=True)
    a = check_rate(t2, "thm-4.7", cons)
    b = check_rate(t2, "thm-4.7", cons, norm=N.L2())
    assert tolerance(factor=100).close(a.measured, b.measured)


def _ggnc_runs(n: int, seeds, cons):
    p = T.get("thm-4.9").prescribe(cons, n)
    q = Quadratic(a=np.array([1.0, 2.0, 4.0]), x0=np.array([3.0, -2.0, 1.0]), sigma2=cons["sigma2"])
    return [
        run(A.ggnc(N.L2(), p["gamma"], p["rho"], p["alpha"]), q, n, rng=s, stochastic=True) for s in seeds
    ]


CONS_49 = {
    "L0": 4.0,
    "L1": 1.0,
    "L": 4.0,
    "sigma2": 0.5,
    "zeta": 1.0,
    "zeta_star": 1.0,
    "f_star": 0.0,
    "grad1_l2": float(np.linalg.norm([3.0, -4.0, 4.0])),
}


def test_thm_4_9_stochastic_rate():
    runs = _ggnc_runs(300, range(6), CONS_49)
    for tid in ("thm-4.9", "thm-4.9-proof", "thm-4.9-corrected"):
        r = check_rate(runs, tid, CONS_49)
        assert r.status == "PASS" and r.details["n_runs"] == 6 and len(r.details["per_run"]) == 6
    # wrong constants (no noise, tiny Δ and L) shrink the bound below the measured average
    wrong = {**CONS_49, "sigma2": 0.0, "L": 1e-3, "Delta": 1e-4}
    assert check_rate(runs, "thm-4.9", wrong).status == "FAIL"
    # the same runs violate α = 1/√n for another horizon's parameters: not applicable
    p_other = T.get("thm-4.9").prescribe(CONS_49, 10_000)
    other = check_rate(runs, "thm-4.9", CONS_49, params=p_other)
    assert other.status == "N/A" and any(h.startswith("alpha = 1/sqrt(n)") for h in other.hypotheses_failed)
    with pytest.raises(ValueError, match="same number of steps"):
        check_rate([runs[0], _ggnc_runs(100, [0], CONS_49)[0]], "thm-4.9", CONS_49)


@pytest.mark.parametrize(
    "tid, variant", [("thm-4.11", 1), ("thm-4.11-corrected", 1), ("thm-b.5", 2), ("thm-b.5-corrected", 2)]
)
def test_stochastic_s3cg_rates(tid, variant):
    n = 200
    m, a = np.array([0.3, -0.2, 0.1]), np.array([1.0, 2.0, 4.0])
    q = ShiftedQuadratic(a=a, m=m, x0=np.zeros(3), sigma2=0.5)
    cons = {
        "L": 4.0,
        "sigma2": 0.5,
        **T.norm_constants(N.L2(), 3, beta=1.0),
        "f_star": 0.0,
        "grad1_l2": float(np.linalg.norm(a * m)),
    }
    p = T.get(tid).prescribe(cons, n)
    runs = [
        run(
            A.s3cg(N.L2(), p["gamma"], p["rho"], 1.0, variant=variant, alpha=p["alpha"]),
            q,
            n,
            rng=s,
            stochastic=True,
            keep_iterates=True,
        )
        for s in range(3)
    ]
    r = check_rate(runs, tid, cons, norm=N.L2())
    assert r.status == "PASS", r.message
    wrong = {**cons, "sigma2": 0.0, "zeta_star": 1e-6, "D2": 1e-6, "Delta": 1e-9, "grad1_l2": 0.0}
    assert check_rate(runs, tid, wrong, norm=N.L2()).status == "FAIL"
    with pytest.raises(ValueError, match="pass norm="):
        check_rate(runs, tid, cons)


def test_sup_u_quantity_is_below_the_average_gap():
    n = 100
    m, a = np.array([0.3, -0.2, 0.1]), np.array([1.0, 2.0, 4.0])
    q = ShiftedQuadratic(a=a, m=m, x0=np.zeros(3))
    t = run(A.s3cg(N.L2(), 0.25, 1.0, beta=1.0), q, n, keep_iterates=True)
    cons = {"L": 4.0, "f_star": 0.0}
    sup_u = check_rate(t, "thm-4.7", cons, norm=N.L2(), measure="sup_u_avg_inner").measured
    avg_gap = check_rate(t, "thm-4.7", cons).measured
    assert sup_u <= avg_gap + 1e-12


def test_check_rate_rejects_lemmas_and_missing_delta():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 10)
    with pytest.raises(ValueError, match="lemma"):
        check_rate(t, "lemma-b.1", {})
    with pytest.raises(ValueError, match="'Delta'"):
        check_rate(t, "thm-4.3", {"L0": 4.0, "L1": 0.0})


def test_diverged_run_measures_infinity():
    q = Quadratic(a=np.array([2.0]), x0=np.array([1.0]))
    t = run(A.steepest_descent(N.L2(), 5.0), q, 2000)  # γ > 2/L diverges
    assert t.diverged
    r = check_rate(t, "poster-sd", {"L": 0.2, "f_star": 0.0})  # wrong L makes the claim applicable
    assert r.status == "FAIL" and r.measured == math.inf
    assert check_descent(t, "sd", {"L": 0.2}).status == "FAIL"


# --------------------------------------------------------------------------------------------- invariants
def test_step_length_ggnc_and_wrong_norm():
    q = _lq()
    good = run(A.ggnc(N.Linf(), 0.1, 3.0), q, 30, keep_iterates=True)
    bad = run(A.ggnc(N.L2(), 0.1, 3.0), q, 30, keep_iterates=True)
    r = check_step_length(good, norm=N.Linf())
    assert r.status == "PASS" and r.details["max_step_over_gamma_rho"] <= 1.0 + 1e-12
    assert check_step_length(bad, norm=N.L2()).status == "PASS"  # self-consistent in its own geometry
    assert check_step_length(bad, norm=N.Linf()).status == "FAIL"  # but not a GGNC step in ℓ∞


def test_step_length_is_measured_not_read_from_the_record():
    """A run whose iterates move by twice the GGNC step (a wrong lmo scale) fails, even though its recorded
    step_norm is the closed form."""
    q = _lq()
    ggnc = A.ggnc(N.Linf(), 0.1, 3.0)

    def doubled(x, g, state):
        x_next, state, info = ggnc.step(x, g, state)
        return x + 2.0 * (x_next - x), state, info

    wrong = dataclasses.replace(ggnc, step=doubled)
    t = run(wrong, q, 10, keep_iterates=True)
    r = check_step_length(t, norm=N.Linf())
    assert r.status == "FAIL" and r.details["n_violations"] == 10
    with pytest.raises(ValueError, match="keep_iterates"):
        check_step_length(run(ggnc, q, 5), norm=N.Linf())


def test_step_length_trust_region_reading_needs_radius_gamma_rho():
    t = run(A.ggnc(N.L2(), 0.2, 1.0), QUAD, 50, keep_iterates=True)
    assert t.clipped.any() and (~t.clipped).any()
    assert check_step_length(t, norm=N.L2(), theorem="trust-region-step-corrected").status == "PASS"
    r = check_step_length(t, norm=N.L2(), theorem="trust-region-step")
    assert r.status == "FAIL" and r.details["n_violations"] == int(t.clipped.sum())


def test_step_length_sd_and_ucg():
    t_sd = run(A.steepest_descent(N.Linf(), 0.1), _lq(), 20, keep_iterates=True)
    assert check_step_length(t_sd, norm=N.Linf()).status == "PASS"
    t = run(A.ucg(N.L2(), 0.1, 0.5), QUAD, 20, keep_iterates=True)
    assert check_step_length(t, norm=N.L2()).status == "PASS"
    assert check_step_length(t, params={"rho": 0.4}, norm=N.L2()).status == "FAIL"  # wrong constant


def test_step_length_rejects_constrained_methods():
    t = run(A.s3cg(N.L2(), 0.25, 1.0, beta=1.0), _s3cg_problem(), 5, keep_iterates=True)
    with pytest.raises(ValueError, match="check_step_length supports"):
        check_step_length(t, norm=N.L2())


def test_feasibility_of_s3cg_and_failures():
    L = 4.0
    q = _s3cg_problem(L)
    alg = A.s3cg(N.L2(), 1 / L, L / 4, beta=1.0)
    good = run(alg, q, 40, keep_iterates=True)
    assert check_feasibility(good, norm=N.L2()).status == "PASS"
    assert check_feasibility(good).status == "PASS"  # certificate γη_k ∈ [0, 1]
    # the wrong sign of the lmo step extrapolates out of βD
    bad = run(_flip(alg), q, 40, keep_iterates=True)
    r = check_feasibility(bad, norm=N.L2())
    assert r.status == "FAIL" and r.details["max_norm"] > 1.0
    # dropping the x^k term of v^k gives GGNC, whose iterates are not confined to βD
    ggnc = run(
        A.ggnc(N.L2(), 1.0, 1.0),
        ShiftedQuadratic(a=np.ones(3), m=np.array([3.0, 0, 0]), x0=np.zeros(3)),
        10,
        keep_iterates=True,
    )
    assert check_feasibility(ggnc, beta=1.0, norm=N.L2()).status == "FAIL"


def test_feasibility_gamma_rho_above_one():
    q = ShiftedQuadratic(a=np.full(3, 10.0), m=np.array([0.5, 0.0, 0.0]), x0=np.array([-0.9, 0.0, 0.0]))
    t = run(A.s3cg(N.L2(), 1.0, 3.0, beta=1.0), q, 10, keep_iterates=True)  # γρ = 3: η_k up to 3
    vac = check_feasibility(t, norm=N.L2())
    assert not vac.applicable and vac.hypotheses_failed == ("gamma*rho <= 1 (SPEC §2.5 feasibility of S3CG)",)
    assert not check_feasibility(t, norm=N.L2(), mode="inequality").passed
    # claiming ρ = 1 (a wrong constant) makes the certificate applicable, and it fails
    r = check_feasibility(t, params={"rho": 1.0})
    assert r.status == "FAIL" and r.details["max_coefficient"] > 1.0


def test_s3cg_stays_feasible_at_a_boundary_optimum():
    """Regression: at a boundary optimum v^k ≈ 0 and the 0/0 ratio ⟨d,v⟩/‖v‖² rounded to ≈ −3e16, throwing the
    iterate out of βD; algorithms.s3cg now clamps the ratio at 0."""
    L = 4.0
    q = ShiftedQuadratic(a=np.full(3, L), m=np.array([2.0, -1.5, 1.0]), x0=np.zeros(3))
    t = run(A.s3cg(N.L2(), 1 / L, L, beta=1.0), q, 8, keep_iterates=True)
    assert check_feasibility(t, norm=N.L2()).passed
    assert check_feasibility(t).passed


# --------------------------------------------------------------------------------------------- symbolic
@pytest.mark.parametrize(
    "claim",
    [
        "thm-4.3-special-violates-hypothesis",
        "thm-4.3-special-corrected-meets-hypothesis",
        "thm-4.3-special-from-general",
        "s3cg-variant1-fw-short-step",
    ],
)
def test_symbolic_claims_are_proved(claim):
    r = check_hypothesis_symbolic(claim)
    assert r.passed and r.tolerance == (0.0, 0.0)
    json.dumps(r.to_dict(), allow_nan=False)


def test_symbolic_details():
    r = check_hypothesis_symbolic("thm-4.3-special-violates-hypothesis")
    assert r.details == {"factor": "0", "hypothesis_slack": "-1/(2*L0)"} and r.measured == 0.0
    r = check_hypothesis_symbolic("thm-4.3-special-corrected-meets-hypothesis")
    assert r.details["hypothesis_slack"] == "0" and r.details["factor"] == "1/2"


def test_symbolic_ggnc_hypothesis_fails_for_the_printed_choice():
    bad = check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/L0", rho="L0/L1")
    assert not bad.passed and bad.status == "FAIL" and bad.details["factor"] == "0"
    assert check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/(2*L0)", rho="L0/L1").passed
    assert check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/(L0 + 3*L1)", rho="2").passed
    assert not check_hypothesis_symbolic("ggnc-hypothesis", gamma="1/L0", rho="1").passed
    with pytest.raises(ValueError, match="needs gamma= and rho="):
        check_hypothesis_symbolic("ggnc-hypothesis")
    with pytest.raises(ValueError, match="unknown symbolic claim"):
        check_hypothesis_symbolic("riemann")


def test_symbolic_fw_short_step_agrees_numerically():
    # the proved identity, on a run: S3CG Variant 1 with γ = 1/L, ρ = L has γη_k = FW short step
    L = 4.0
    q = _s3cg_problem(L)
    s = run(A.s3cg(N.L2(), 1 / L, L, beta=1.0), q, 15)
    fw = run(A.frank_wolfe(N.L2(), 1.0, step="short", L=L), q, 15)
    assert np.allclose(s.eta / L, fw.eta, rtol=1e-12, atol=1e-15)


def test_public_api():
    assert set(verify.__all__) >= {
        "CheckResult",
        "check_descent",
        "check_rate",
        "check_step_length",
        "check_feasibility",
        "check_hypothesis_symbolic",
    }
    assert verify.__distribution__ == "ggnc-theory" and verify.__doc__


# --------------------------------------------------------------------------------------------- certificates
def test_l0l1_certificate_passes_with_certified_constants_and_fails_with_halved_L0():
    import problems

    p = problems.get("abs_power", p=4, L1=1.0)
    good = verify.check_l0l1_certificate(p, 0, n_pairs=2000)
    assert good.status == "PASS" and good.details["n_violations"] == 0 and good.details["tight"]
    assert 0.5 <= good.measured <= 1.0 + good.tolerance[0]
    bad = verify.check_l0l1_certificate(p, 0, L0=p.L0 / 2, n_pairs=2000)
    assert bad.status == "FAIL" and bad.details["n_violations"] > 0 and bad.measured > 1.0
    json.dumps(bad.to_dict(), allow_nan=False)


def test_l0l1_certificate_rejects_a_negative_control():
    import problems

    r = verify.check_l0l1_certificate(problems.get("exp_square"), 1, L0=100.0, L1=1.0, n_pairs=2000)
    assert r.status == "FAIL"
