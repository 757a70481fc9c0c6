"""Algorithms: closed forms (Table 1), limits and equivalences (SPEC §2), purity, momentum, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _toy import BlockQuadratic, LogSumExp, Quadratic
from conftest import to_np

from ggnc_theory import algorithms as A
from ggnc_theory import norms, run
from ggnc_theory.tolerances import tolerance

TOL = tolerance("float64", factor=10.0)  # a handful of roundings per step

VECTOR_NORMS = [norms.L2(), norms.L1(), norms.Linf(), norms.Lp(3.0), norms.Lp(1.5)]
MATRIX_NORMS = [norms.Spectral(), norms.Nuclear(), norms.Frobenius(), norms.Sign(), norms.ColNorm(), norms.RowNorm()]


def _allclose(a, b, tol=TOL, scale=1.0) -> bool:
    """|a − b| ≤ atol·scale + rtol·max(|a|, |b|) elementwise (the tolerance rule, with an explicit scale)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= tol.atol * scale + tol.rtol * np.maximum(np.abs(a), np.abs(b))))


def _draw(norm, rng, scale=1.0):
    shape = (4, 3) if isinstance(norm, tuple(type(n) for n in MATRIX_NORMS)) else (6,)
    return scale * rng.standard_normal(shape)


# --------------------------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("scale", [0.05, 10.0], ids=["unclipped", "clipped"])
def test_clipped_gd_matches_table1(scale):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal(5), scale * rng.standard_normal(5)
    gamma, rho = 0.3, 1.0
    alg = A.clipped_gd(gamma, rho)
    x_next, _, info = alg.step(x, g, alg.init(x))
    expected = x - gamma * min(1.0, rho / np.linalg.norm(g)) * g
    assert _allclose(x_next, expected)
    assert bool(info.clipped) == (np.linalg.norm(g) > rho)


def test_clipped_sign_matches_table1():
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal(7), 3 * rng.standard_normal(7)
    gamma, rho = 0.2, 1.5
    alg = A.ggnc(norms.Linf(), gamma, rho)
    x_next, _, info = alg.step(x, g, alg.init(x))
    expected = x - gamma * min(rho, np.abs(g).sum()) * np.sign(g)
    assert _allclose(x_next, expected)
    assert _allclose(float(info.dual_norm), np.abs(g).sum())


def test_clipped_spectral_matches_table1():
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    gamma, rho = 0.1, 2.0
    alg = A.ggnc(norms.Spectral(), gamma, rho)
    x_next, _, _ = alg.step(x, g, alg.init(x))
    U, S, Vt = np.linalg.svd(g, full_matrices=False)
    expected = x - gamma * min(rho, S.sum()) * U @ Vt
    assert _allclose(x_next, expected)


def test_normalized_gd_is_ucg_in_l2():
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal(5), rng.standard_normal(5)
    alg = A.normalized_gd(0.5, 0.2)
    x_next, _, info = alg.step(x, g, alg.init(x))
    assert _allclose(x_next, x - 0.5 * 0.2 * g / np.linalg.norm(g))
    assert float(info.eta) == 0.2


@pytest.mark.parametrize("norm", VECTOR_NORMS + MATRIX_NORMS, ids=repr)
def test_ggnc_step_length_and_regime(norm):
    """‖x^{k+1} − x^k‖ (measured on the iterates) = γ·min{ρ, ‖d‖_*} = info.step_norm; the regime flag is
    ‖d‖_* > ρ (SPEC §2.2)."""
    rng = np.random.default_rng(4)
    gamma, rho = 0.3, 1.0
    alg = A.ggnc(norm, gamma, rho)
    seen = set()
    for scale in (0.01, 0.1, 1.0, 10.0):
        x, g = _draw(norm, rng), _draw(norm, rng, scale)
        x_next, _, info = alg.step(x, g, alg.init(x))
        dn = float(norm.dual(g))
        measured = float(norm(x_next - x))
        assert _allclose(measured, gamma * min(rho, dn), scale=float(norm(x)))
        assert _allclose(float(info.step_norm), measured, scale=float(norm(x)))
        assert _allclose(float(info.eta), min(rho, dn))
        assert bool(info.clipped) == (dn > rho)
        seen.add(bool(info.clipped))
    assert seen == {True, False}, "both regimes must be exercised"


def test_steepest_descent_uses_sharp():
    rng = np.random.default_rng(5)
    norm = norms.L1()
    x, g = rng.standard_normal(6), rng.standard_normal(6)
    alg = A.steepest_descent(norm, 0.4)
    x_next, _, info = alg.step(x, g, alg.init(x))
    assert _allclose(x_next, x - 0.4 * to_np(norm.sharp(g)))
    assert not bool(info.clipped)


# --------------------------------------------------------------------------------------------- limits
@pytest.mark.parametrize("norm", [norms.L2(), norms.Linf(), norms.L1(), norms.Spectral()], ids=repr)
def test_ggnc_rho_to_infinity_is_steepest_descent(norm):
    rng = np.random.default_rng(6)
    x0 = _draw(norm, rng)
    prob = Quadratic(a=np.ones(x0.size), x0=x0, norm=norm) if x0.ndim == 1 else None
    if prob is None:
        prob = BlockQuadratic(M=(rng.standard_normal(x0.shape),), x0=(x0,), norm=norms.Product((norm,)))
        norm = prob.norm
    t_ggnc = run(A.ggnc(norm, 0.05, 1e12), prob, 40)
    t_sd = run(A.steepest_descent(norm, 0.05), prob, 40)
    assert _allclose(t_ggnc.f, t_sd.f)
    assert not t_ggnc.clipped.any()


@pytest.mark.parametrize("norm", [norms.L2(), norms.Linf(), norms.Spectral()], ids=repr)
def test_ggnc_rho_to_zero_with_gamma_rho_fixed_is_ucg(norm):
    rng = np.random.default_rng(7)
    x0 = _draw(norm, rng, 3.0)
    prob = (
        Quadratic(a=np.ones(x0.size), x0=x0, norm=norm)
        if x0.ndim == 1
        else BlockQuadratic(M=(rng.standard_normal(x0.shape),), x0=(x0,), norm=norms.Product((norm,)))
    )
    step_length = 0.01  # γρ held fixed
    rho = 1e-9
    t_ggnc = run(A.ggnc(prob.norm, step_length / rho, rho), prob, 40)
    t_ucg = run(A.ucg(prob.norm, step_length / rho, rho), prob, 40)
    assert _allclose(t_ggnc.f, t_ucg.f)
    assert t_ggnc.clipped.all()


@pytest.mark.parametrize("norm", VECTOR_NORMS + MATRIX_NORMS, ids=repr)
@pytest.mark.parametrize("beta", [1.0, 2.5])
def test_s3cg_without_x_term_is_ggnc(norm, beta):
    """At x = 0 the S3CG direction is v = −β·lmo(d), i.e. S3CG without the x-term; it equals GGNC with
    threshold βρ (= GGNC for β = 1, SPEC §2.5)."""
    rng = np.random.default_rng(8)
    gamma, rho = 0.4, 0.7
    for scale in (0.05, 5.0):
        g = _draw(norm, rng, scale)
        x = np.zeros_like(g)
        s3 = A.s3cg(norm, gamma, rho, beta=beta)
        gg = A.ggnc(norm, gamma, beta * rho)
        xs, _, _ = s3.step(x, g, s3.init(x))
        xg, _, _ = gg.step(x, g, gg.init(x))
        assert _allclose(xs, xg)


@pytest.mark.parametrize("norm", [norms.L2(), norms.Linf(), norms.L1()], ids=repr)
def test_s3cg_variant1_with_gamma_1_over_L_rho_L_is_fw_short_step(norm):
    rng = np.random.default_rng(9)
    a = rng.uniform(0.5, 2.0, 6)
    L = {"L2()": a.max(), "Linf()": a.sum(), "L1()": a.max()}[repr(norm)]
    beta = 1.0
    x0 = to_np(norm.lmo(rng.standard_normal(6), 0.5 * beta))
    prob = Quadratic(a=a, x0=x0 + 0.0, norm=norm)
    shifted = _Shifted(prob, rng.standard_normal(6))
    t_s3 = run(A.s3cg(norm, 1.0 / L, L, beta=beta, variant=1), shifted, 60)
    t_fw = run(A.frank_wolfe(norm, beta, "short", L=L), shifted, 60)
    assert _allclose(t_s3.f, t_fw.f)
    assert _allclose(t_s3.x_final, t_fw.x_final)
    assert _allclose(t_s3.fw_gap, t_fw.fw_gap)


class _Shifted:
    """f(x − c) so that the minimiser is not at the centre of the ball."""

    def __init__(self, prob, c):
        self.prob, self.c, self.norm, self.x0, self.name = prob, c, prob.norm, prob.x0, "shifted"

    def f(self, x):
        return self.prob.f(x - self.c)

    def grad(self, x):
        return self.prob.grad(x - self.c)


# --------------------------------------------------------------------------------------------- trust region
def _cvx_norm(name, u):
    import cvxpy as cp

    return {"l2": cp.norm2(u), "l1": cp.norm1(u), "linf": cp.norm_inf(u)}[name]


@pytest.mark.parametrize("name", ["l2", "l1", "linf"])
@pytest.mark.parametrize("scale", [0.05, 20.0], ids=["unclipped", "clipped"])
def test_ggnc_step_is_trust_region_argmin_with_radius_gamma_rho(name, scale):
    """x^{k+1} − x^k = argmin_{‖u‖ ≤ γρ} γ⟨d, u⟩ + ½‖u‖² (SPEC §2.2) — and not with radius ρ (erratum 8)."""
    import cvxpy as cp

    rng = np.random.default_rng(10)
    norm = norms.get(name)
    gamma, rho = 0.3, 1.0
    d = scale * rng.standard_normal(5)
    x = rng.standard_normal(5)
    alg = A.ggnc(norm, gamma, rho)
    x_next, _, info = alg.step(x, d, alg.init(x))
    step = x_next - x

    def solve(radius):
        u = cp.Variable(5)
        obj = cp.Minimize(gamma * d @ u + 0.5 * cp.square(_cvx_norm(name, u)))
        prob = cp.Problem(obj, [_cvx_norm(name, u) <= radius])
        prob.solve(solver=cp.CLARABEL)
        assert prob.status == cp.OPTIMAL
        return u.value, prob.value

    solver_tol = tolerance("float64").__class__(rtol=1e-6, atol=1e-6)  # Clarabel's default accuracy
    u_star, val_star = solve(gamma * rho)
    ours = gamma * d @ step + 0.5 * float(norm(step)) ** 2
    assert solver_tol.close(ours, val_star)
    assert _allclose(step, u_star, tol=solver_tol, scale=float(norm(step)))
    if bool(info.clipped):
        u_rho, val_rho = solve(rho)
        assert val_rho < ours - 1e-3, "with radius ρ the argmin differs from the GGNC step"
        assert float(norm(u_rho - step)) > 1e-3


# --------------------------------------------------------------------------------------------- momentum, purity
def test_momentum_recursion_starts_from_zero():
    rng = np.random.default_rng(11)
    alpha = 0.3
    alg = A.ggnc(norms.L2(), 0.1, 1.0, alpha=alpha)
    x = rng.standard_normal(4)
    state = alg.init(x)
    assert np.all(state.d == 0) and state.k == 0
    d_prev = np.zeros(4)
    for _ in range(3):
        g = rng.standard_normal(4)
        x, state, info = alg.step(x, g, state)
        d_prev = alpha * g + (1 - alpha) * d_prev
        assert _allclose(state.d, d_prev)
        assert _allclose(float(info.dual_norm), np.linalg.norm(d_prev))
    assert state.k == 3


@pytest.mark.parametrize(
    "alg",
    [
        A.ggnc(norms.Linf(), 0.1, 1.0, alpha=0.5),
        A.ucg(norms.L2(), 0.1, 1.0),
        A.steepest_descent(norms.L1(), 0.1),
        A.s3cg(norms.Linf(), 0.1, 1.0, beta=5.0, alpha=0.5),
        A.frank_wolfe(norms.L2(), 5.0),
    ],
    ids=lambda a: a.name,
)
def test_step_never_mutates_inputs(alg):
    rng = np.random.default_rng(12)
    x, g = rng.standard_normal(5), rng.standard_normal(5)
    state = alg.init(x)
    state = state._replace(d=rng.standard_normal(5))
    copies = (x.copy(), g.copy(), state.d.copy())
    for arr in (x, g, state.d):
        arr.setflags(write=False)  # any in-place write raises
    x1, s1, _ = alg.step(x, g, state)
    x2, s2, _ = alg.step(x, g, state)
    assert np.array_equal(x, copies[0]) and np.array_equal(g, copies[1]) and np.array_equal(state.d, copies[2])
    assert np.array_equal(x1, x2) and np.array_equal(s1.d, s2.d)


def test_product_norm_shares_one_eta_across_blocks():
    """Algorithm 3: every block moves by γ·η·r_l·lmo_l(d_l) with one global η = min{ρ, Σ r_l‖d_l‖_*}."""
    rng = np.random.default_rng(13)
    blocks, radii = (norms.Spectral(), norms.Sign(), norms.BiasRMS()), (2.0, 0.5, 1.0)
    P = norms.Product(blocks, radii)
    x = (rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(4))
    d = tuple(3 * rng.standard_normal(a.shape) for a in x)
    gamma, rho = 0.1, 1.0
    alg = A.ggnc(P, gamma, rho)
    x_next, _, info = alg.step(x, d, alg.init(x))
    total = sum(r * float(b.dual(dl)) for b, dl, r in zip(blocks, d, radii))
    eta = min(rho, total)
    assert _allclose(float(info.dual_norm), total) and _allclose(float(info.eta), eta)
    for b, xl, dl, r, xn in zip(blocks, x, d, radii, x_next):
        assert _allclose(xn, xl + gamma * eta * r * to_np(b.lmo(dl)))


# --------------------------------------------------------------------------------------------- convergence
def test_ggnc_converges_on_quadratic_within_theory_step():
    a = np.array([1.0, 2.0, 4.0, 8.0])
    prob = Quadratic(a=a, x0=np.array([10.0, -10.0, 5.0, 3.0]))
    L0, L1 = a.max(), 0.0
    t = run(A.ggnc(norms.L2(), 1.0 / (L0 + 1.0 * L1), 1.0), prob, 400)
    assert t.status == "completed"
    assert t.grad_dual_norm_final < 1e-8
    assert np.all(np.diff(t.f) <= TOL.atol)  # a descent method (Thm 4.3 per-step inequality)
    assert 0 < t.clipped_fraction < 1, "both regimes visited"


def test_ggnc_converges_on_lse_in_linf():
    prob = LogSumExp(x0=np.array([3.0, -1.0, 0.5, 2.0, -4.0]))
    t = run(A.ggnc(norms.Linf(), 0.5, 1.0), prob, 3000)
    assert t.grad_dual_norm_final < 1e-6


def test_s3cg_iterates_stay_in_ball():
    rng = np.random.default_rng(14)
    beta = 1.0
    prob = Quadratic(a=np.ones(6), x0=np.zeros(6), norm=norms.Linf())
    shifted = _Shifted(prob, 3 * rng.standard_normal(6))
    t = run(A.s3cg(norms.Linf(), 0.5, 2.0, beta=beta), shifted, 100, keep_iterates=True)
    assert np.max(np.abs(t.iterates)) <= beta * (1 + TOL.rtol)
    assert np.all(t.fw_gap >= -TOL.atol)


# --------------------------------------------------------------------------------------------- validation
BAD_POSITIVE = [0.0, -1.0, math.nan, math.inf, "abc", None]


@pytest.mark.parametrize("bad", BAD_POSITIVE, ids=repr)
@pytest.mark.parametrize(
    "factory,param",
    [
        (lambda v: A.ggnc(norms.L2(), v, 1.0), "gamma"),
        (lambda v: A.ggnc(norms.L2(), 0.1, v), "rho"),
        (lambda v: A.ucg(norms.L2(), v, 1.0), "gamma"),
        (lambda v: A.ucg(norms.L2(), 0.1, v), "rho"),
        (lambda v: A.steepest_descent(norms.L2(), v), "gamma"),
        (lambda v: A.s3cg(norms.L2(), 0.1, 1.0, beta=v), "beta"),
        (lambda v: A.s3cg(norms.L2(), 0.1, v, beta=1.0), "rho"),
        (lambda v: A.frank_wolfe(norms.L2(), v), "beta"),
        (lambda v: A.frank_wolfe(norms.L2(), 1.0, "short", L=v if v is not None else -1), "L"),
    ],
    ids=lambda p: p if isinstance(p, str) else "",
)
def test_invalid_hyperparameters_name_the_parameter(factory, param, bad):
    with pytest.raises(ValueError, match=param):
        factory(bad)


@pytest.mark.parametrize("alpha", [0.0, -0.1, 1.5, math.nan, math.inf])
def test_invalid_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        A.ggnc(norms.L2(), 0.1, 1.0, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        A.s3cg(norms.L2(), 0.1, 1.0, beta=1.0, alpha=alpha)


@pytest.mark.parametrize("variant", [0, 3, True, "1", 1.5])
def test_invalid_variant(variant):
    with pytest.raises(ValueError, match="variant"):
        A.s3cg(norms.L2(), 0.1, 1.0, beta=1.0, variant=variant)


def test_other_invalid_arguments():
    with pytest.raises(ValueError, match="step"):
        A.frank_wolfe(norms.L2(), 1.0, step="long")
    with pytest.raises(ValueError, match="L"):
        A.frank_wolfe(norms.L2(), 1.0, step="short")
    with pytest.raises(ValueError, match="norm"):
        A.ggnc("l2", 0.1, 1.0)
    with pytest.raises(ValueError, match="x1"):
        alg = A.s3cg(norms.Linf(), 0.1, 1.0, beta=1.0)
        alg.init(np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match="unknown algorithm"):
        A.get("adam")
    assert A.get("ggnc", norm=norms.L2(), gamma=0.1, rho=1.0).name == "ggnc"
    assert set(A.available()) >= {"ggnc", "ucg", "steepest_descent", "s3cg", "frank_wolfe"}


def test_step_rejects_non_finite_gradient():
    alg = A.ggnc(norms.L2(), 0.1, 1.0)
    x = np.zeros(3)
    with pytest.raises(ValueError, match="g"):
        alg.step(x, np.array([1.0, np.nan, 0.0]), alg.init(x))


# --------------------------------------------------------------------------------------------- back ends
ALGS_FOR_BACKENDS = [
    ("ggnc-linf", lambda: A.ggnc(norms.Linf(), 0.3, 0.5, alpha=0.5), "lse"),
    ("ucg-l2", lambda: A.ucg(norms.L2(), 0.1, 0.5), "quad"),
    ("sd-l1", lambda: A.steepest_descent(norms.L1(), 0.1), "quad"),
    ("s3cg-linf-v2", lambda: A.s3cg(norms.Linf(), 0.5, 1.0, beta=5.0, variant=2), "lse"),
    ("fw-l2", lambda: A.frank_wolfe(norms.L2(), 5.0), "quad"),
    ("ggnc-spectral", lambda: A.ggnc(norms.Product((norms.Spectral(), norms.Sign()), (1.0, 2.0)), 0.1, 1.0), "block"),
]


@pytest.mark.parametrize("name,make,kind", ALGS_FOR_BACKENDS, ids=[a[0] for a in ALGS_FOR_BACKENDS])
def test_numpy_and_torch_trajectories_agree(name, make, kind, backend):
    """The same code on torch float64 reproduces the NumPy reference to 1e-10."""
    rng = np.random.default_rng(15)
    if kind == "quad":
        x0 = 2 * rng.standard_normal(6)
        prob = Quadratic(a=rng.uniform(0.5, 2, 6), x0=backend.asarray(x0))
    elif kind == "lse":
        x0 = rng.uniform(-1, 1, 6)
        prob = LogSumExp(x0=backend.asarray(x0))
    else:
        M = (rng.standard_normal((4, 3)), rng.standard_normal((2, 5)))
        x0 = (np.zeros((4, 3)), np.zeros((2, 5)))
        prob = BlockQuadratic(M=M, x0=backend.tree(x0), norm=make().norm)
    ref_prob = type(prob)(**{**prob.__dict__, "x0": _np_tree(x0)})
    t = run(make(), prob, 30)
    t_ref = run(make(), ref_prob, 30)
    assert t.meta["backend"] == backend.name
    for field in ("f", "grad_dual_norm", "eta", "step_norm"):
        assert np.allclose(getattr(t, field), getattr(t_ref, field), rtol=1e-10, atol=1e-10), field
    assert np.array_equal(t.clipped, t_ref.clipped)
    for a, b in zip(_leaves(t.x_final), _leaves(t_ref.x_final)):
        assert isinstance(a, np.ndarray) and np.allclose(a, b, rtol=1e-10, atol=1e-10)


def _np_tree(x):
    return tuple(np.asarray(a) for a in x) if isinstance(x, tuple) else np.asarray(x)


def _leaves(x):
    return x if isinstance(x, tuple) else (x,)


def test_frank_wolfe_short_step_stays_feasible_at_a_boundary_optimum():
    """The FW short step has the same 0/0 ratio as S3CG Variant 1 when the minimiser lies on the boundary."""
    L = 4.0
    m = np.array([2.0, -1.5, 1.0])
    prob = _Shifted(Quadratic(a=np.full(3, L), x0=np.zeros(3)), m)
    t = run(A.frank_wolfe(norms.L2(), 1.0, "short", L=L), prob, 30, keep_iterates=True)
    assert np.max(np.linalg.norm(t.iterates, axis=1)) <= 1.0 + TOL.rtol
    assert np.all(t.eta >= 0) and np.all(t.eta <= 1)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: A.steepest_descent(n, 0.2),
        lambda n: A.ucg(n, 0.2, 0.7),
        lambda n: A.ggnc(n, 0.2, 0.7, alpha=0.5),
        lambda n: A.s3cg(n, 0.5, 1.5, beta=4.0, variant=1),
        lambda n: A.s3cg(n, 0.5, 1.5, beta=4.0, variant=2),
        lambda n: A.frank_wolfe(n, 4.0),
        lambda n: A.frank_wolfe(n, 4.0, "short", L=3.0),
    ],
    ids=["sd", "ucg", "ggnc-momentum", "s3cg-v1", "s3cg-v2", "fw-open", "fw-short"],
)
@pytest.mark.parametrize("norm", [norms.L2(), norms.Linf(), norms.L1(), norms.Spectral()], ids=repr)
def test_reported_step_norm_matches_the_measured_step(make, norm):
    """info.step_norm is computed by construction; it must equal ‖x^{k+1} − x^k‖ measured on the iterates,
    including at d = 0 (where lmo(0) = 0 and no step is taken)."""
    rng = np.random.default_rng(16)
    alg = make(norm)
    x = 0.5 * to_np(norm.lmo(_draw(norm, rng), 1.0))
    state = alg.init(x)
    for scale in (0.05, 3.0, 0.0):
        g = _draw(norm, rng, scale) if scale else np.zeros_like(x)
        x_next, state, info = alg.step(x, g, state)
        assert _allclose(float(info.step_norm), float(norm(x_next - x)), scale=1.0)
        x = x_next
