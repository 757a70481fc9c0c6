r"""Negative controls: smooth functions that are **not** (L0,L1)-smooth for any constants.

They carry ``"negative_control"`` in their hypotheses, ``L0 = L1 = L = None``, and a ``witness_fn`` that
produces pairs (x, y) at escalating scales along which the ratio
‖∇f(x) − ∇f(y)‖_* / ((L0 + L1‖∇f(x)‖_*)‖x − y‖) is unbounded for every fixed (L0, L1), with ‖x − y‖ → 0 so
that the radius condition ‖x − y‖ ≤ 1/L1 holds for any L1. Estimators must reject them.
"""

from __future__ import annotations

import math

import numpy as np

from ggnc_theory._backend import Array, namespace
from ggnc_theory.norms import L2, Product, Spectral

from ._base import Kernel, Problem, guard_exp, make_rng, positive_float, positive_int

__all__ = ["neg_log", "exp_square", "matrix_factorization_uv", "mf_region_constant"]


# --------------------------------------------------------------------------------------------- −log x
class _NegLog(Kernel):
    has_hvp = True

    domain = "x > 0 for −log x"

    def in_domain(self, x: Array) -> Array:
        return namespace(x).all(x > 0, axis=-1)

    def f(self, x: Array, D) -> Array:
        xp = namespace(x)
        return -xp.sum(xp.log(x), axis=-1)

    def grad(self, x: Array, D) -> Array:
        return -1.0 / x

    def hvp(self, x: Array, v: Array, D) -> Array:
        return v / (x * x)


def neg_log(sigma2: float = 0.1, x0: float = 1.0) -> Problem:
    r"""f(x) = −log x on x > 0 — **not** (L0,L1)-smooth (ANCHORS §7 negative control).

    f'(x) = −1/x, f''(x) = 1/x² = (f')², so f''/|f'| = 1/x is unbounded as x → 0 (it is ℓ-smooth with
    ℓ(u) = u², Li et al. 2023, but no affine ℓ works). First-order form: for y = x/2,
    |f'(y) − f'(x)| = 1/x while (L0 + L1/x)·x/2 = L0x/2 + L1/2, so 1/x > L0x/2 + L1/2 violates (L0, L1) for
    every fixed pair once x is small enough (and |x − y| = x/2 ≤ 1/L1 there).

    Convex; unbounded below (f → −∞ as x → ∞), so f_star = −inf. Points x ≤ 0 raise :class:`DomainError`.
    """
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    x0 = float(x0)
    if not x0 > 0:
        raise ValueError(f"x0 must be > 0 (domain of −log x), got {x0!r}")

    def witness(rng: np.random.Generator) -> tuple:
        x = np.logspace(0, -12, 49)[:, None]
        return x, x / 2.0

    return Problem(
        name="neg_log",
        family="neg_log",
        shape=(1,),
        norm=L2(),
        x0=np.array([x0]),
        L0=None,
        L1=None,
        L=None,
        f_star=-math.inf,
        f_star_attained=False,
        f_star_method="closed form (unbounded below as x → ∞)",
        sigma2=sigma2,
        hypotheses={"convex", "negative_control"},
        provenance="−log x on x > 0 (ANCHORS §7 negative control; Li et al. 2023 ℓ-smoothness)",
        derivation="not (L0,L1): f''/|f'| = 1/x unbounded as x → 0",
        kernel=_NegLog(),
        params={"sigma2": sigma2, "x0": x0},
        scale=1.0,
        center=np.array([1.0]),
        notes="domain x > 0; DomainError (a ValueError and FloatingPointError) outside",
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- exp(x²)
class _ExpSquare(Kernel):
    has_hvp = True

    def _e(self, x: Array) -> Array:
        z = x * x
        guard_exp(z, "exp(x²)")
        return namespace(x).exp(z)

    def f(self, x: Array, D) -> Array:
        return namespace(x).sum(self._e(x), axis=-1)

    def grad(self, x: Array, D) -> Array:
        return 2.0 * x * self._e(x)

    def hvp(self, x: Array, v: Array, D) -> Array:
        return (2.0 + 4.0 * x * x) * self._e(x) * v


def exp_square(sigma2: float = 0.1, x0: float = 1.0) -> Problem:
    r"""f(x) = exp(x²) on ℝ — **not** (L0,L1)-smooth (ANCHORS §7 negative control).

    f' = 2x e^{x²}, f'' = (2 + 4x²)e^{x²}, so f''/|f'| = 1/x + 2x → ∞ as |x| → ∞ (growth faster than any
    exponential). For fixed (L0, L1) a violating pair is x large, y = x + h with small h: the ratio tends to
    (2 + 4x²)/(2x·L1) ≈ 2x/L1 > 1 once x > L1/2. In float64 exp(x²) overflows beyond |x| ≈ 26.6, so violations
    are exhibited numerically for L1 ≲ 50 (an ``OverflowError`` is raised beyond, never a silent inf).

    Convex, min f = 1 at x = 0.
    """
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    x0 = float(x0)

    def witness(rng: np.random.Generator) -> tuple:
        x = np.linspace(0.5, 26.0, 52)[:, None]
        return x, x + 1e-6

    return Problem(
        name="exp_square",
        family="exp_square",
        shape=(1,),
        norm=L2(),
        x0=np.array([x0]),
        L0=None,
        L1=None,
        L=None,
        f_star=1.0,
        f_star_attained=True,
        f_star_method="closed form (x* = 0)",
        x_star=np.zeros(1),
        sigma2=sigma2,
        hypotheses={"convex", "bounded_below", "min_attained", "negative_control"},
        provenance="exp(x²) (ANCHORS §7 negative control)",
        derivation="not (L0,L1): f''/|f'| = 1/x + 2x unbounded",
        kernel=_ExpSquare(),
        params={"sigma2": sigma2, "x0": x0},
        scale=2.0,
        notes="float64 overflow at |x| > 26.6 limits numerical refutation to L1 ≲ 50",
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- MF (U, V)
class _FactorUV(Kernel):
    """½‖UVᵀ − M‖_F² in (U, V): ∇ = (RV, RᵀU), R = UVᵀ − M."""

    has_hvp = True

    def f(self, x: tuple, D) -> Array:
        U, V = x
        xp = namespace(U)
        R = U @ V.mT - D["M"]
        return 0.5 * xp.sum(R * R, axis=(-2, -1))

    def grad(self, x: tuple, D) -> tuple:
        U, V = x
        R = U @ V.mT - D["M"]
        return R @ V, R.mT @ U

    def hvp(self, x: tuple, v: tuple, D) -> tuple:
        U, V = x
        H, K = v
        R = U @ V.mT - D["M"]
        dR = H @ V.mT + U @ K.mT
        return dR @ V + R @ K, dR.mT @ U + R.mT @ H


def mf_region_constant(problem: Problem, beta: float) -> float:
    r"""A certified Lipschitz constant of ∇f for :func:`matrix_factorization_uv` on {max(‖U‖, ‖V‖) ≤ β}.

    For X = (U, V), Y = (U + H, V + K) both in the region and t = max(‖H‖, ‖K‖) (the Product norm):
    ∇_U f(Y) − ∇_U f(X) = HV'ᵀV' + UKᵀV' + RK with R = UVᵀ − M, and Schatten–Hölder gives
    ‖·‖_{S1} ≤ t(r_Vβ² + √(r_U r_V)β² + r_U(β² + ‖M‖)) with r_U = min(m, k), r_V = min(n, k); symmetrically for V.
    Hence ‖∇f(Y) − ∇f(X)‖_* ≤ [(r_U + r_V)(2β² + ‖M‖_{S∞}) + 2√(r_U r_V)β²]·‖Y − X‖. Certified, not tight.
    """
    beta = positive_float(beta, "beta")
    m, k = problem.shape[0]
    n, _ = problem.shape[1]
    rU, rV = min(m, k), min(n, k)
    Mop = float(np.linalg.norm(problem.data["M"], 2))
    return (rU + rV) * (2 * beta**2 + Mop) + 2 * math.sqrt(rU * rV) * beta**2


def matrix_factorization_uv(
    m: int = 4,
    n: int = 5,
    k: int = 2,
    sigma2: float = 0.1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Problem:
    r"""f(U, V) = ½‖UVᵀ − M‖_F² jointly in (U, V) — **not** (L0,L1)-smooth; Product(Spectral, Spectral) geometry.

    M = U♮V♮ᵀ is planted (rank k), so f* = 0 is attained at the balanced factors (U♮, V♮).

    **Why no global constants exist.** f(tU, V/t) = f(U, V), so every rescaling (tU♮, V♮/t) is a minimiser with
    ∇f = 0, but the curvature grows: ∇_V f(tU♮, V♮/t + K) − 0 = K·t²U♮ᵀU♮ (+ O(‖K‖²)), whose nuclear norm is
    ≈ t²·‖KU♮ᵀU♮‖_{S1}. Any (L0, L1) is violated once t² exceeds L0 / (σ_min(U♮)²) — at points where
    ‖∇f‖ = 0, so L1 cannot help. (Even k = 1 suffices; for k ≥ 2 the pairing U = [ta, 0], V = [0, tb] gives
    the same with R = −M.) The family therefore has no ``l0l1_smooth`` hypothesis and L0 = L1 = L = None; use
    :func:`problems.matrix.matrix_factorization` (V fixed) for certified constants, or
    :func:`mf_region_constant` for a certified Lipschitz constant on a bounded region.
    """
    m = positive_int(m, "m")
    n = positive_int(n, "n")
    k = positive_int(k, "k")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    gen = make_rng(seed, rng)
    P, _ = np.linalg.qr(gen.standard_normal((m, k)))
    Q, _ = np.linalg.qr(gen.standard_normal((n, k)))
    s = np.sort(1.0 + gen.random(k))[::-1]
    M = (P * s) @ Q.T
    U_nat = P[:, :k] * np.sqrt(s)
    V_nat = Q[:, :k] * np.sqrt(s)
    K0 = np.zeros((n, k))
    K0[: min(n, k), : min(n, k)] = np.eye(min(n, k))

    def witness(rng_w: np.random.Generator) -> tuple:
        ts = np.logspace(0, 3, 13)
        X = (np.stack([t * U_nat for t in ts]), np.stack([V_nat / t for t in ts]))
        Y = (X[0].copy(), X[1] + 1e-6 * K0)
        return X, Y

    return Problem(
        name=f"matrix_factorization_uv[m={m},n={n},k={k}]",
        family="matrix_factorization_uv",
        shape=((m, k), (n, k)),
        norm=Product(blocks=(Spectral(), Spectral())),
        x0=(gen.standard_normal((m, k)) / math.sqrt(m), gen.standard_normal((n, k)) / math.sqrt(n)),
        L0=None,
        L1=None,
        L=None,
        f_star=0.0,
        f_star_attained=True,
        f_star_method="closed form (planted M = U♮V♮ᵀ)",
        x_star=(U_nat, V_nat),
        sigma2=sigma2,
        hypotheses={"nonconvex", "bounded_below", "min_attained", "negative_control"},
        provenance="matrix factorisation ½‖UVᵀ − M‖_F² in (U, V) (ANCHORS §7); rescaling symmetry",
        derivation="not (L0,L1): curvature ~t² at the gradient-free minimisers (tU♮, V♮/t)",
        kernel=_FactorUV(),
        data={"M": M},
        params={"m": m, "n": n, "k": k, "sigma2": sigma2},
        scale=1.0,
        notes="certified Lipschitz constant on bounded regions: problems.controls.mf_region_constant",
        witness_fn=witness,
    )
