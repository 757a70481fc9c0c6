"""Empirical (L0, L1) estimation: samplers (verify.estimate), fits (verify.fit), suite validation."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from _toy import Quadratic

import problems
from ggnc_theory import algorithms as A
from ggnc_theory import norms as N
from ggnc_theory import run
from ggnc_theory.tolerances import close, leq
from verify import (
    Samples,
    bootstrap,
    compare,
    concat_samples,
    diagnose,
    directional_samples,
    fit_envelope,
    fit_gluon,
    fit_quantile,
    interpolated_secant_samples,
    loglog_slope,
    power_iteration,
    power_samples,
    probe_problem,
    secant_samples,
    stochastic_secant_samples,
)
from verify.fit import GLUON_FLOOR, LOOSE_FRACTION

#: HiGHS solves to a primal/dual feasibility tolerance of 1e-7 ≈ 7·sqrt(eps): 100·sqrt(eps) = 1.5e-6.
LP_FACTOR = 100.0
#: L-BFGS-B stops at a projected-gradient tolerance of 1e-5 on a loss of size Σ L̂²; on noiseless data the
#: parameters are then accurate to ~1e-6 relatively: 1e3·sqrt(eps) = 1.5e-5.
LBFGS_FACTOR = 1e3
#: On data spanning 12 decades, L-BFGS-B stops on its relative loss decrease (ftol ≈ 2.2e-9) of a loss
#: dominated by the largest samples: L1 is then accurate only to ~sqrt(ftol) ≈ 5e-5 relatively: 1e4·sqrt(eps).
LBFGS_WIDE_FACTOR = 1e4
#: Power iteration accumulates one rounding per iteration (≤ 200 here): 10·sqrt(eps) is ample.
POWER_FACTOR = 10.0

CERTIFIED = problems.available(controls=False)
CONTROLS = [n for n in problems.available() if n not in CERTIFIED]


def _spd(rng, eig):
    Q, _ = np.linalg.qr(rng.standard_normal((len(eig), len(eig))))
    return Q @ np.diag(eig) @ Q.T


# --------------------------------------------------------------------------------------------- Samples record
def test_samples_record_is_frozen_and_read_only():
    s = Samples([1.0, 2.0], [3.0, 4.0], [0.1, 0.2], "secant", "L2()", {"seed": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.method = "x"
    with pytest.raises(ValueError):
        s.lhat[0] = 0.0
    with pytest.raises(TypeError):
        s.meta["seed"] = 2
    assert len(s) == 2 and not s.noise_biased
    assert len(s.within(0.15)) == 1
    with pytest.raises(ValueError):
        Samples([1.0], [1.0, 2.0], [0.0], "x", "L2()")
    both = concat_samples(s, Samples([5.0], [6.0], [0.0], "power", "L2()"))
    assert len(both) == 3 and both.method == "secant+power"
    with pytest.raises(ValueError):
        concat_samples(s, Samples([5.0], [6.0], [0.0], "power", "Linf()"))


# --------------------------------------------------------------------------------------------- E1 secants
def test_secants_of_a_quadratic_are_direction_wise_exact():
    rng = np.random.default_rng(0)
    Amat = _spd(rng, [4.0, 2.0, 1.0])
    X = rng.standard_normal((6, 3))
    v = np.linalg.eigh(Amat)[1][:, -1]
    X[3] = X[2] + 0.3 * v  # one step along the top eigenvector: the secant is λ_max = ‖A‖ exactly
    G = X @ Amat
    s = secant_samples(X, N.L2(), gradients=G)
    for k in range(5):
        d = X[k + 1] - X[k]
        assert close(s.lhat[k], np.linalg.norm(Amat @ d) / np.linalg.norm(d))
        assert close(s.grad_dual[k], np.linalg.norm(G[k + 1]))  # Gluon: the newer point
        assert close(s.step[k], np.linalg.norm(d))
    assert close(s.lhat[2], 4.0)
    base = secant_samples(X, N.L2(), gradients=G, regressor="base")
    assert np.allclose(base.grad_dual, np.linalg.norm(G[:-1], axis=1), rtol=1e-15, atol=0)
    assert len(secant_samples(X, N.L2(), gradients=G, every=2)) == 3
    with pytest.raises(ValueError):
        secant_samples(X, N.L2())


def test_secants_from_a_trajectory():
    q = Quadratic(a=np.array([3.0, 1.0, 0.5]), x0=np.array([1.0, -2.0, 0.5]), norm=N.Linf())
    t = run(A.ggnc(N.Linf(), 0.2, 1.0), q, 12, keep_iterates=True)
    s = secant_samples(t, N.Linf())
    X = t.iterates
    k = 4
    d = X[k + 1] - X[k]
    # ℓ∞ geometry: ‖·‖_* = ℓ1 for the gradient difference a∘d, ℓ∞ for the step
    assert close(s.lhat[k], np.sum(np.abs(q.a * d)) / np.max(np.abs(d)))
    assert s.meta["regressor"] == "newer"
    with pytest.raises(ValueError):
        secant_samples(run(A.ggnc(N.Linf(), 0.2, 1.0), q, 3), N.Linf())


def test_secants_of_block_points_use_the_product_norm():
    p = problems.get("matrix_factorization_uv")
    rng = np.random.default_rng(9)
    xs = [tuple(a + 0.1 * rng.standard_normal(a.shape) for a in p.x0) for _ in range(4)]
    X = tuple(np.stack([x[b] for x in xs]) for b in range(2))
    G = tuple(np.stack([p.grad(x)[b] for x in xs]) for b in range(2))
    s = secant_samples(X, p.norm, gradients=G, regressor="base")
    for k in range(3):
        dg = tuple(a - b for a, b in zip(p.grad(xs[k + 1]), p.grad(xs[k])))
        dx = tuple(a - b for a, b in zip(xs[k + 1], xs[k]))
        assert close(s.lhat[k], float(p.norm.dual(dg)) / float(p.norm(dx)))
        assert close(s.grad_dual[k], float(p.norm.dual(p.grad(xs[k]))))


# --------------------------------------------------------------------------------------------- E2
def test_interpolated_secant_takes_the_max_over_alpha():
    def grad(x):  # f = x⁴/4
        return x**3

    up = interpolated_secant_samples(grad, np.array([[1.0], [2.0]]), N.L2(), alphas=(0.5, 1.0))
    assert close(up.lhat[0], 7.0) and close(up.grad_dual[0], 1.0)  # (8 − 1)/1 beats (1.5³ − 1)/0.5 = 4.75
    down = interpolated_secant_samples(grad, np.array([[2.0], [1.0]]), N.L2(), alphas=(0.5, 1.0))
    assert close(down.lhat[0], (8.0 - 1.5**3) / 0.5)  # 9.25 at α = 1/2 beats 7 at α = 1
    q = Quadratic(a=np.array([2.0, 5.0]), x0=np.zeros(2))
    X = np.array([[1.0, 1.0], [1.5, -1.0]])
    s = interpolated_secant_samples(q.grad, X, N.L2())
    d = X[1] - X[0]
    assert close(s.lhat[0], np.linalg.norm(q.a * d) / np.linalg.norm(d))
    with pytest.raises(ValueError):
        interpolated_secant_samples(grad, X, N.L2(), alphas=(0.0,))


# --------------------------------------------------------------------------------------------- E5
def test_directional_differences_linf_quadratic():
    a = np.array([1.0, 2.0, 3.0, 0.5])
    q = Quadratic(a=a, x0=np.zeros(4))
    rng = np.random.default_rng(1)
    pts = [rng.standard_normal(4) for _ in range(3)]
    s = directional_samples(q.grad, pts, N.Linf(), rng, radius=0.5, n_random=3)
    # every direction is a sign vector (±lmo = ∓sign(∇f), random signs): ‖a∘h‖₁/‖h‖∞ = Σ a
    assert len(s) == 3 * 5 * 4
    assert all(close(v, a.sum()) for v in s.lhat)
    assert np.all(s.step <= 0.5 * (1 + 1e-12)) and close(float(s.step.max()), 0.5)
    assert all(close(v, np.sum(np.abs(a * x))) for v, x in zip(s.grad_dual[::20], pts))


def test_directional_differences_spectral_rank_one_and_lmo():
    def grad(X):  # f = ½‖X‖_F²
        return X

    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 3))
    s = directional_samples(grad, [X], N.Spectral(), rng, scale=1.0, fractions=(1.0,), n_random=2)
    # ±lmo directions are −U Vᵀ (spectral norm 1, nuclear norm 3); random ones are rank-1 (nuclear = spectral)
    assert np.allclose(s.lhat, [3.0, 3.0, 1.0, 1.0], rtol=1e-12, atol=0)
    assert close(s.grad_dual[0], np.linalg.svd(X, compute_uv=False).sum())


def test_directional_skips_points_outside_the_domain():
    p = problems.get("neg_log")
    rng = np.random.default_rng(0)
    s = directional_samples(
        p.grad, [np.array([-1.0]), np.array([0.5])], p.norm, rng, scale=1.0, fractions=(1.0,)
    )
    assert s.meta["n_failed"] >= 1 and len(s) >= 1  # x = −1 fails; from 0.5 the step 0.5 + 1 works


def _count_primal(monkeypatch):
    """Count the norm evaluations verify.estimate makes through its _primal helper."""
    import verify.estimate as E

    calls = [0]
    inner = E._primal

    def counted(norm, x):
        calls[0] += 1
        return inner(norm, x)

    monkeypatch.setattr(E, "_primal", counted)
    return calls


STEP_GEOMETRIES = [
    pytest.param(N.Spectral(rms=True), lambda rng: rng.standard_normal((6, 4)), id="spectral-rms"),
    pytest.param(N.Sign(), lambda rng: rng.standard_normal((5, 3)), id="sign"),
    pytest.param(N.Nuclear(), lambda rng: rng.standard_normal((4, 4)), id="nuclear"),
    pytest.param(
        N.Product((N.Spectral(), N.Sign(), N.BiasRMS()), radii=(1.0, 0.5, 2.0)),
        lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((2, 5)), rng.standard_normal(3)),
        id="product",
    ),
]


@pytest.mark.parametrize("norm,draw", STEP_GEOMETRIES)
@pytest.mark.parametrize("rel_step", [1e-1, 1e-3, 1e-9])
def test_step_length_shortcut_matches_the_norm_of_the_step(monkeypatch, norm, draw, rel_step):
    """‖y − x‖ with y = x + r·h: the r·‖h‖ shortcut is within its bound of the evaluated norm; at tiny steps
    (rounding of y comparable to the step) the guard refuses it and the norm is evaluated."""
    import verify.estimate as E

    rng = np.random.default_rng(7)
    x = draw(rng)
    h = E._random_direction(x, rng)
    hn, parts = E._direction_norm(norm, h)
    r = rel_step * float(norm(x)) / hn
    y = E.tree_axpy(r, h, x)
    exact = float(norm(E._sub(y, x)))
    calls = _count_primal(monkeypatch)
    got = E._step_length(norm, x, y, h, r, hn, parts)
    budget = E.STEP_SHORTCUT * math.sqrt(np.finfo(np.float64).eps) / E.SIGNIFICANCE
    assert abs(got - exact) <= 2 * budget * exact, (got, exact)
    if rel_step == 1e-9:
        assert calls[0] >= 1, "a step of 1e-9·‖x‖ must be evaluated, not taken as r·‖h‖"
    if rel_step == 1e-1 and not isinstance(norm, N.Sign):
        assert calls[0] == 0, "a step of 0.1·‖x‖ needs no norm evaluation"


def test_step_length_guard_is_what_keeps_it_exact(monkeypatch):
    """With a wrong equivalence constant (0: 'no rounding'), the shortcut is taken at a tiny step and misses the
    true ‖y − x‖ by far more than its budget — the guard is not decorative."""
    import verify.estimate as E

    norm = N.Spectral()
    rng = np.random.default_rng(3)
    x = 1e3 * rng.standard_normal((5, 5))
    h = E._random_direction(x, rng)
    hn, _ = E._direction_norm(norm, h)
    r = 1e-10 * float(norm(x)) / hn
    y = E.tree_axpy(r, h, x)
    exact = float(norm(E._sub(y, x)))
    budget = E.STEP_SHORTCUT * math.sqrt(np.finfo(np.float64).eps) / E.SIGNIFICANCE
    assert abs(E._step_length(norm, x, y, h, r, hn) - exact) <= 2 * budget * exact
    monkeypatch.setattr(N.Spectral, "l2_equivalence", lambda self, x: 0.0)
    assert abs(E._step_length(norm, x, y, h, r, hn) - exact) > 100 * budget * exact


def test_directional_samples_stay_in_torch_and_match_numpy():
    """Torch points and gradients are not copied to the host, and give the NumPy samples."""
    torch = pytest.importorskip("torch")
    rng_np = np.random.default_rng(5)
    A_ = rng_np.standard_normal((5, 5))
    H = A_ @ A_.T
    norm = N.Product((N.Spectral(rms=True), N.Sign()), radii=(1.0, 2.0))
    x_np = (rng_np.standard_normal((5, 4)), rng_np.standard_normal((3, 4)))
    seen = []

    def grad_np(p):  # f = ½⟨X, H X⟩ + ¼‖Y‖₄⁴ (Y = block 2)
        return (H @ p[0], p[1] ** 3)

    def grad_t(p):
        seen.append(all(isinstance(a, torch.Tensor) for a in p))
        Ht = torch.as_tensor(H)
        return (Ht @ p[0], p[1] ** 3)

    kw = dict(scale=0.5, fractions=(1.0, 0.1, 0.01), n_random=2)
    s_np = directional_samples(grad_np, [x_np], norm, np.random.default_rng(0), **kw)
    x_t = tuple(torch.as_tensor(a) for a in x_np)
    s_t = directional_samples(grad_t, [x_t], norm, np.random.default_rng(0), **kw)
    assert seen and all(seen), "grad must receive torch tensors"
    assert len(s_t) == len(s_np) == 12
    assert np.allclose(s_t.lhat, s_np.lhat, rtol=1e-12, atol=0)
    assert np.allclose(s_t.grad_dual, s_np.grad_dual, rtol=1e-12, atol=0)
    assert np.allclose(s_t.step, s_np.step, rtol=1e-12, atol=0)
    # NumPy points with a gradient that returns tensors: everything is brought to the host, as before
    def grad_returns_tensors(p):
        return grad_t(tuple(torch.as_tensor(a) for a in p))

    s_mix = directional_samples(grad_returns_tensors, [x_np], norm, np.random.default_rng(0), **kw)
    assert np.allclose(s_mix.lhat, s_np.lhat, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------- E4
def test_power_iteration_l2_is_lambda_max():
    rng = np.random.default_rng(3)
    Amat = _spd(rng, [5.0, 3.0, 1.0, 0.5])
    res = power_iteration(lambda x, v: Amat @ v, np.zeros(4), N.L2(), rng, iters=150, restarts=2)
    assert close(res.value, 5.0, factor=POWER_FACTOR)
    for trace in res.history:  # PSD: ⟨h, A h⟩ is non-decreasing along the iteration
        assert all(leq(a, b, factor=POWER_FACTOR, scale=5.0) for a, b in itertools.pairwise(trace))


def test_power_iteration_linf_lower_bound_and_max_over_vertices():
    rng = np.random.default_rng(4)
    B = rng.standard_normal((5, 5))
    H = B @ B.T  # PSD: sup_{‖h‖∞≤1} hᵀHh is attained at a sign vector (convex maximisation)
    brute = max(np.array(s) @ H @ np.array(s) for s in itertools.product((-1.0, 1.0), repeat=5))
    res = power_iteration(lambda x, v: H @ v, np.zeros(5), N.Linf(), rng, iters=30, restarts=8)
    assert leq(res.value, brute)  # a lower bound always
    assert close(res.value, brute)  # and with restarts it finds the max on this instance
    for trace in res.history:
        assert all(leq(a, b, scale=brute) for a, b in itertools.pairwise(trace))
    q = Quadratic(a=np.array([1.0, 4.0]), x0=np.zeros(2))
    ps = power_samples(q.grad, lambda x, v: q.a * v, [np.array([1.0, 1.0])], N.L2(), rng)
    assert close(ps.lhat[0], 4.0) and ps.step[0] == 0 and ps.method == "power"


# --------------------------------------------------------------------------------------------- stochastic
def test_stochastic_secants_same_batch_cancel_noise_different_batch_flagged():
    q = Quadratic(a=np.array([2.0, 1.0, 0.5]), x0=np.zeros(3), sigma2=1.0)
    rng = np.random.default_rng(5)
    X = np.cumsum(1e-3 * rng.standard_normal((20, 3)), axis=0)
    exact = secant_samples(X, N.L2(), gradients=X * q.a)
    same = stochastic_secant_samples(q.stochastic_grad, X, N.L2(), np.random.default_rng(0), mode="same")
    diff = stochastic_secant_samples(q.stochastic_grad, X, N.L2(), np.random.default_rng(0), mode="different")
    assert not same.noise_biased and diff.noise_biased
    # additive noise with the same ξ cancels: same-batch secants equal the exact ones up to rounding of the
    # noise (size ~1) divided by steps of size ~1e-3
    assert all(close(a, b, factor=1e3, scale=max(b, 1.0)) for a, b in zip(same.lhat, exact.lhat))
    assert np.median(diff.lhat) > 100 * np.max(exact.lhat)  # √2·σ/‖step‖ ≫ true curvature
    with pytest.raises(ValueError):
        stochastic_secant_samples(q.stochastic_grad, X, N.L2(), rng, mode="x")


# --------------------------------------------------------------------------------------------- fits
def _line_samples(L0=2.0, L1=3.0, n=40, seed=0, below=True):
    rng = np.random.default_rng(seed)
    g = np.linspace(0.0, 10.0, n)
    lh = L0 + L1 * g
    if below:
        lh = lh * np.where(np.arange(n) % 3 == 0, 1.0, rng.uniform(0.2, 0.9, n))
    return Samples(g, lh, np.zeros(n), "synthetic", "L2()", {"seed": seed})


def test_lp_envelope_recovers_a_known_line_and_the_tradeoff_curve():
    s = _line_samples()
    fit = fit_envelope(s)
    assert close(fit.L0, 2.0, factor=LP_FACTOR) and close(fit.L1, 3.0, factor=LP_FACTOR)
    assert close(fit.min_L0(3.0), 2.0) and close(fit.min_L1(2.0), 3.0)
    assert close(fit.min_L0(0.0), float(np.max(s.lhat)))
    grid, curve = fit.curve(20)
    assert np.all(np.diff(curve) <= 1e-12)  # non-increasing ...
    assert close(curve[-1], 2.0)  # ... down to the sample at g = 0 (L̂ = 2), which no L1 can lift
    assert fit.min_L1(0.0) == math.inf
    assert np.all(curve[:, None] + grid[:, None] * s.grad_dual[None, :] >= s.lhat[None, :] - 1e-9)
    # c → ∞ penalises L1: the tightest line is then flat at max L̂
    flat = fit_envelope(s, c=1e9)
    assert close(flat.L1, 0.0, factor=LP_FACTOR, scale=3.0) and close(flat.L0, 32.0, factor=LP_FACTOR)


def test_gluon_least_squares_on_noiseless_data_and_floor():
    fit = fit_gluon(_line_samples(below=False))
    assert fit.converged
    assert close(fit.L0, 2.0, factor=LBFGS_FACTOR) and close(fit.L1, 3.0, factor=LBFGS_FACTOR)
    assert fit.mse_rel < 1e-10
    zero = fit_gluon(_line_samples(L0=0.0, L1=0.5, below=False))
    assert zero.L0 == GLUON_FLOOR and close(zero.L1, 0.5, factor=LBFGS_FACTOR)
    # normalised units: the same answer on data spanning 12 decades, where the verbatim protocol struggles
    g = np.logspace(-6, 6, 50)
    wide = Samples(g, 2.0 + 3.0 * g, np.zeros(50), "synthetic", "L2()")
    nf = fit_gluon(wide, normalize=True)
    assert close(nf.L1, 3.0, factor=LBFGS_WIDE_FACTOR) and nf.L0 >= GLUON_FLOOR and nf.converged
    assert fit_gluon(Samples(g, 1e-9 * g, np.zeros(50), "s", "L2()"), normalize=True).L0 == GLUON_FLOOR


def test_quantile_regression():
    exact = fit_quantile(_line_samples(below=False), tau=0.95)
    assert close(exact.L0, 2.0, factor=LP_FACTOR) and close(exact.L1, 3.0, factor=LP_FACTOR)
    rng = np.random.default_rng(7)
    g = rng.uniform(0, 10, 200)
    s = Samples(g, (1.0 + 2.0 * g) * rng.uniform(0.5, 1.0, 200), np.zeros(200), "synthetic", "L2()")
    q = fit_quantile(s, tau=0.9)
    assert q.coverage >= 0.9 - 1.0 / 200  # the LP's optimality: at most ⌈(1−τ)n⌉ (+ ties) points above
    with pytest.raises(ValueError):
        fit_quantile(s, tau=1.0)


def test_bootstrap_is_deterministic_with_a_seed():
    s = _line_samples(n=30)
    a = bootstrap(s, fit_envelope, np.random.default_rng(11), n_boot=50)
    b = bootstrap(s, fit_envelope, np.random.default_rng(11), n_boot=50)
    c = bootstrap(s, fit_envelope, np.random.default_rng(12), n_boot=50)
    assert np.array_equal(a.replicates, b.replicates) and not np.array_equal(a.replicates, c.replicates)
    assert a.low["L0"] <= a.high["L0"] and a.low["L1"] <= a.high["L1"]
    assert leq(a.high["L1"], a.estimate["L1"] + 1.0)  # resamples only drop points: envelopes shrink
    with pytest.raises(ValueError):
        bootstrap(s, fit_envelope, None)


def test_loglog_slope_and_verdicts_on_synthetic_data():
    g = np.logspace(-2, 4, 60)
    pow15 = Samples(g, 3.0 * g**1.5, np.zeros(60), "synthetic", "L2()")
    sl = loglog_slope(pow15, np.random.default_rng(0))
    assert close(sl.slope, 1.5, factor=LP_FACTOR) and close(sl.low, 1.5, factor=LP_FACTOR)
    assert close(sl.decades, 6.0)
    assert not diagnose(pow15, np.random.default_rng(0)).supported
    line = Samples(g, 1.0 + 2.0 * g, np.zeros(60), "synthetic", "L2()")
    v = diagnose(line, np.random.default_rng(0))
    assert v.supported and v.reasons == () and v.slope.high <= 1.0 + 1e-9


def test_compare_flags_on_synthetic_samples():
    s = _line_samples()
    ok = compare(fit_envelope(s), 2.0, 3.0)
    assert ok.flag == "ok" and not ok.mismatch and close(ok.reach, 1.0)
    small = compare(s, 1.0, 3.0)
    assert small.flag == "constants too small" and small.exceeds
    loose = compare(s, 4.5, 3.0)
    assert loose.flag.startswith("certified constants loose") and loose.loose
    far = Samples([1.0], [1.0], [2.0], "secant", "L2()")
    assert compare(far, 0.1, 1.0).n_used == 0  # a pair farther than 1/L1 says nothing about (L0, L1)


# --------------------------------------------------------------------------------------------- validation
@pytest.fixture(scope="module")
def probes():
    return {name: probe_problem(problems.get(name), seed=0) for name in problems.available()}


@pytest.mark.parametrize("name", CERTIFIED)
def test_suite_envelope_never_exceeds_and_reaches_half(name, probes):
    p = problems.get(name)
    s = probes[name]
    fit = fit_envelope(s)
    cmp = compare(fit, p.L0, p.L1)
    # an estimator must not claim more than is true (tolerance rule, in compare) ...
    assert not cmp.exceeds, cmp.message
    admissible = s.within(1.0 / p.L1 if p.L1 > 0 else math.inf)
    L0_hat = fit_envelope(admissible).min_L0(p.L1)
    with np.errstate(over="ignore"):
        excess = admissible.lhat - p.L1 * admissible.grad_dual
    i = int(np.argmax(excess))  # the sample attaining L0_hat sets the scale of the comparison
    assert close(L0_hat, max(float(excess[i]), 0.0))
    assert leq(L0_hat, p.L0, scale=admissible.lhat[i] + p.L1 * admissible.grad_dual[i]), cmp.message
    # ... and must demonstrate at least half of the certified constants
    assert cmp.reach >= LOOSE_FRACTION and cmp.flag == "ok", cmp.message
    assert diagnose(s, np.random.default_rng(0)).supported
    if p.has_tradeoff and p.L1 > 0:  # the estimated trade-off curve stays below the certified one
        for L1 in (0.5 * p.L1, p.L1, 2.0 * p.L1):
            if not math.isfinite(p.tradeoff(L1)):  # no L0 works with this L1
                continue
            est = compare(s, p.tradeoff(L1), L1)
            assert not est.exceeds, est.message


@pytest.mark.parametrize("name", CONTROLS)
def test_negative_controls_are_rejected(name, probes):
    assert "negative_control" in problems.get(name).hypotheses
    v = diagnose(probes[name], np.random.default_rng(0))
    assert not v.supported and v.reasons


@pytest.mark.parametrize("name", ["abs_power", "lp_norm", "quartic", "softmax_regression"])
def test_compare_flags_constants_changed_by_two(name, probes):
    p = problems.get(name)
    s = probes[name]
    assert compare(s, p.L0, p.L1).flag == "ok"
    assert compare(s, 2 * p.L0, 2 * p.L1).flag == "certified constants loose or estimator budget too small"
    assert compare(s, 0.5 * p.L0, 0.5 * p.L1).flag == "constants too small"


@pytest.mark.parametrize("name", ["abs_power", "lp_norm", "quartic", "exp"])
def test_trajectory_secants_never_exceed_certified_constants(name):
    p = problems.get(name)
    gamma = 1.0 / p.L0 if p.L0 else 0.1
    t = run(A.ggnc(p.norm, gamma, 1.0 / p.L1), p, 100, keep_iterates=True)
    s = concat_samples(
        secant_samples(t, p.norm),
        secant_samples(t, p.norm, regressor="base"),
        interpolated_secant_samples(p.grad, t, p.norm),
    )
    cmp = compare(fit_envelope(s), p.L0, p.L1)
    assert not cmp.exceeds, cmp.message  # trajectory secants probe only along the path: lower bounds
    assert fit_gluon(secant_samples(t, p.norm)).converged
