r"""Vector families: log-sum-exp (ℓ∞), ℓp objectives (ℓ2 and ℓ∞), and sums of exponentials (ℓ2 and ℓ∞).

Notation: g(s) = sign(s)|s|^{p−1} acts entrywise; C_p = (1 − 2^{−1/(p−2)})^{2−p} is the one-dimensional
constant of :func:`problems.scalar.abs_power_constant`. Its scaled form (the **1-D lemma**) is used
throughout: for every s and every |u| ≤ 1/ℓ,

    |g(s+u) − g(s)| ≤ (C_p·ℓ^{2−p} + ℓ|g(s)|)·|u|,                                   (★)

with equality at s = s*/ℓ, u = 1/ℓ (s* = 1/(2^{1/(p−2)} − 1)).
"""

from __future__ import annotations

import math

import numpy as np

from ggnc_theory._backend import Array, namespace
from ggnc_theory.norms import L2, Linf

from ._base import Kernel, Problem, exponent, guard_exp, make_rng, positive_float, positive_int
from .scalar import LN2, PowerSum, _sstar, abs_power_constant

__all__ = ["lse", "lp_norm", "lp_regression", "sum_exp", "GEOMETRIES"]

GEOMETRIES = {"l2": L2, "linf": Linf}


def _geometry(geometry: str, allowed=("l2", "linf")):
    if geometry not in allowed:
        raise ValueError(f"geometry must be one of {allowed}, got {geometry!r}")
    return GEOMETRIES[geometry]()


def _sign_pattern(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < 0.5, -1.0, 1.0)


# --------------------------------------------------------------------------------------------- LSE
class _LSE(Kernel):
    has_hvp = True

    def _softmax(self, x: Array) -> Array:
        xp = namespace(x)
        e = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
        return e / xp.sum(e, axis=-1, keepdims=True)

    def f(self, x: Array, D) -> Array:
        xp = namespace(x)
        m = xp.max(x, axis=-1, keepdims=True)
        return xp.squeeze(m, axis=-1) + xp.log(xp.sum(xp.exp(x - m), axis=-1))

    def grad(self, x: Array, D) -> Array:
        return self._softmax(x)

    def hvp(self, x: Array, v: Array, D) -> Array:
        xp = namespace(x)
        p = self._softmax(x)
        return p * v - p * xp.sum(p * v, axis=-1, keepdims=True)


def lse(d: int = 5, sigma2: float = 0.1) -> Problem:
    r"""f(x) = log Σ_i exp(x_i) on ℝ^d, d ≥ 2, in the ℓ∞ geometry (dual ℓ1) — the softmax baseline.

    ∇f = softmax(x) =: π, so ‖∇f(x)‖₁ = 1 everywhere; ∇²f = diag(π) − ππᵀ and ⟨h, ∇²f h⟩ = Var_π(h).

    **Constants (both forms): (L0, L1) = (1, 0), L = 1.** For ‖h‖∞, ‖v‖∞ ≤ 1, Cauchy–Schwarz for the PSD form
    gives ⟨v, ∇²f h⟩ ≤ √(Var_π(v) Var_π(h)) ≤ 1 (a variable in [−1, 1] has variance ≤ 1), so ∇f is 1-Lipschitz
    from ℓ∞ to ℓ1 (integrate along the segment). Tight: π = (½, ½, 0, …) and h = (1, −1, 0, …) give
    Var = 1. Because ‖∇f‖₁ ≡ 1 the whole trade-off curve is min L0(L1) = max(0, 1 − L1) in both forms.

    inf f = −∞ (x → −∞·1): unbounded below, so f_star = −inf.

    Args:
        d: dimension, d ≥ 2.
        sigma2: variance of the additive-noise oracle.
    """
    d = positive_int(d, "d", minimum=2)
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)

    def tradeoff(l1: float, form: str) -> float:
        return max(0.0, 1.0 - l1)

    def witness(rng: np.random.Generator) -> tuple:
        X, Y = [], []
        for eps in (1e-3, 1e-1, 1.0):
            x = np.full(d, -60.0)
            x[:2] = 0.0
            h = np.zeros(d)
            h[:2] = (eps, -eps)
            X.append(x)
            Y.append(x + h)
        return np.stack(X), np.stack(Y)

    return Problem(
        name=f"lse[d={d}]",
        family="lse",
        shape=(d,),
        norm=Linf(),
        x0=np.linspace(1.0, -1.0, d),
        L0=1.0,
        L1=0.0,
        L=1.0,
        f_star=-math.inf,
        f_star_attained=False,
        f_star_method="closed form (unbounded below along −1)",
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "l_smooth"},
        provenance="log-sum-exp / softmax (ANCHORS §7: ℓ∞, (1, 0))",
        derivation="Var_π(h) ≤ ‖h‖∞² and Cauchy–Schwarz ⇒ ∇f is 1-Lipschitz ℓ∞→ℓ1; tight at π = (½,½,0,…)",
        kernel=_LSE(),
        params={"d": d, "sigma2": sigma2},
        hessian_constants=(1.0, 0.0),
        scale=3.0,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- (1/p)‖x‖_p^p
def lp_norm(p: float = 4.0, d: int = 10, geometry: str = "l2", L1: float = 1.0, sigma2: float = 0.1) -> Problem:
    r"""f(x) = (1/p)‖x‖_p^p on ℝ^d, p > 2, in the ℓ2 or the ℓ∞ geometry. Convex, min 0 at 0, not L-smooth.

    ∇f = g(x) entrywise, ∇²f = diag((p−1)|x_i|^{p−2}).

    **ℓ2 (dimension-free).** Assumption 4.2: L0 = C_p/L1^{p−2}. Proof: ‖h‖₂ ≤ 1/L1 ⇒ |h_i| ≤ 1/L1, so by (★)
    ‖g(x+h) − g(x)‖₂ ≤ ‖(C_p L1^{2−p} + L1|g(x_i)|)|h_i|‖₂ ≤ (C_p L1^{2−p} + L1‖g(x)‖∞)‖h‖₂ and
    ‖g(x)‖∞ ≤ ‖g(x)‖₂. Tight along one coordinate (x = s*/L1·e₁, h = e₁/L1). Hessian form:
    ((p−2)/L1)^{p−2} (ANCHORS; max eigenvalue (p−1)‖x‖∞^{p−2} vs ‖g(x)‖₂ ≥ ‖x‖∞^{p−1}).

    **ℓ∞ (grows linearly with d).** Assumption 4.2: L0 = d·C_p/L1^{p−2}. Proof: ‖h‖∞ ≤ 1/L1 and (★) per
    coordinate, summed: ‖Δ‖₁ ≤ Σ_i (C_p L1^{2−p} + L1|g(x_i)|)‖h‖∞ = (d C_p L1^{2−p} + L1‖g(x)‖₁)‖h‖∞. Tight
    with every coordinate at the 1-D maximiser (x = s*/L1·𝟙, h = 𝟙/L1). Hessian form: d((p−2)/L1)^{p−2}
    (ANCHORS: p = 4, d = 20, L1 = 1 → 80; Assumption 4.2 gives 20·11.66 = 233).

    Args:
        p: exponent, p > 2.
        d: dimension.
        geometry: ``"l2"`` or ``"linf"``.
        L1: the L1 > 0 at which L0 is taken from the curve.
        sigma2: variance of the additive-noise oracle.
    """
    p = exponent(p)
    d = positive_int(d, "d")
    norm = _geometry(geometry)
    L1 = positive_float(L1, "L1")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    mult = 1.0 if geometry == "l2" else float(d)
    cp = abs_power_constant(p)

    def tradeoff(l1: float, form: str) -> float:
        if l1 == 0:
            return math.inf
        c = (p - 2.0) ** (p - 2.0) if form == "hessian" else cp
        return mult * c / l1 ** (p - 2.0)

    s = _sstar(p)

    def witness(rng: np.random.Generator) -> tuple:
        u = np.zeros(d)
        if geometry == "l2":
            u[0] = 1.0
        else:
            u[:] = _sign_pattern(rng, d)
        X = np.stack([f * s / L1 * u for f in (1.0, 0.9, 1.1)])
        return X, X + u / L1

    return Problem(
        name=f"lp_norm[p={p:g},d={d},{geometry},L1={L1:g}]",
        family="lp_norm",
        shape=(d,),
        norm=norm,
        x0=np.linspace(2.0, -1.0, d),
        L0=tradeoff(L1, "assumption"),
        L1=L1,
        L=None,
        f_star=0.0,
        f_star_attained=True,
        f_star_method="closed form (x* = 0)",
        x_star=np.zeros(d),
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "bounded_below", "min_attained"},
        provenance="(1/p)‖x‖_p^p (ANCHORS §7; SPEC §1.4 d-factor)",
        derivation=(
            f"Asm 4.2: L0 = {'' if geometry == 'l2' else 'd·'}C_p/L1^(p−2) by the 1-D lemma per coordinate "
            f"(tight); Hessian form {'' if geometry == 'l2' else 'd·'}((p−2)/L1)^(p−2)"
        ),
        kernel=PowerSum(p),
        params={"p": p, "d": d, "geometry": geometry, "L1": L1, "sigma2": sigma2},
        hessian_constants=(tradeoff(L1, "hessian"), L1),
        scale=(s + 1.0) / L1,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- ‖Ax − b‖_p^p
class _PowerRegression(Kernel):
    """Σ|Ax − b|^p with ∇ = p·Aᵀg(Ax − b)."""

    has_hvp = True

    def __init__(self, p: float):
        self.p = p

    def _r(self, x: Array, D) -> Array:
        return x @ D["A"].mT - D["b"]

    def f(self, x: Array, D) -> Array:
        xp = namespace(x)
        return xp.sum(xp.abs(self._r(x, D)) ** self.p, axis=-1)

    def grad(self, x: Array, D) -> Array:
        xp = namespace(x)
        r = self._r(x, D)
        return (self.p * xp.sign(r) * xp.abs(r) ** (self.p - 1.0)) @ D["A"]

    def hvp(self, x: Array, v: Array, D) -> Array:
        xp = namespace(x)
        r = self._r(x, D)
        w = self.p * (self.p - 1.0) * xp.abs(r) ** (self.p - 2.0)
        return (w * (v @ D["A"].mT)) @ D["A"]


_DESIGNS = ("grouped", "orthonormal", "gaussian")


def _design(design: str, m: int, d: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    if design == "grouped":
        k = d // m
        A = np.zeros((m, d))
        perm = rng.permutation(d)
        for i in range(m):
            idx = perm[i * k : (i + 1) * k]
            A[i, idx] = scale * _sign_pattern(rng, k) / k
        return A
    if design == "orthonormal":
        Q, _ = np.linalg.qr(rng.standard_normal((d, m)))
        return scale * Q.T
    return scale * rng.standard_normal((m, d)) / math.sqrt(d)


def _disjoint_rows(A: np.ndarray) -> bool:
    nz = (A != 0).astype(np.int64)
    overlap = nz @ nz.T
    return bool(np.all(overlap[~np.eye(A.shape[0], dtype=bool)] == 0))


def lp_regression(
    p: float = 4.0,
    m: int = 4,
    d: int = 8,
    geometry: str = "l2",
    design: str = "grouped",
    scale: float = 1.0,
    L1: float = 1.0,
    sigma2: float = 0.1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Problem:
    r"""f(x) = ‖Ax − b‖_p^p, p > 2, A ∈ ℝ^{m×d} of full row rank (m ≤ d), b = Ax♮ (so f* = 0 is attained).

    Write r = Ax − b, δ = Ah, G = g(r), Δ = g(r + δ) − g(r); ∇f = p·AᵀG. The difficulty is that ‖∇f(x)‖ =
    p‖AᵀG‖ can be small while G is not; full row rank (Aᵀ injective) bounds ‖G‖ by ‖AᵀG‖.

    **ℓ2.** With σ_max, σ_min the extreme singular values of A and ℓ := L1·σ_min/σ_max²:
    ‖Δ‖₂ ≤ (C_p ℓ^{2−p} + ℓ‖G‖₂)‖δ‖₂ by (★) (valid as ‖δ‖∞ ≤ σ_max‖h‖ ≤ 1/ℓ), ‖δ‖₂ ≤ σ_max‖h‖₂ and
    ‖G‖₂ ≤ ‖AᵀG‖₂/σ_min, hence **L0 = p·σ_max²·C_p·ℓ^{2−p}** at the given L1. Tight when σ_max = σ_min
    (designs ``grouped`` and ``orthonormal``: then f is ‖·‖_p^p in rotated coordinates and equality holds along
    a row direction); loose by condition-number factors otherwise (``gaussian``: certified, not tight).

    **ℓ∞.** With α_i = ‖a_i‖₁ (rows), α = max α_i and β ≥ sup_v ‖v‖₁/‖Aᵀv‖₁ (β = 1/min α_i when the rows have
    disjoint supports, else the bound β = √m/σ_min), and ℓ := L1/(α²β): |δ_i| ≤ α_i‖h‖∞ and
    ‖AᵀΔ‖₁ ≤ Σ α_i|Δ_i| ≤ ‖h‖∞(C_p ℓ^{2−p}Σα_i² + ℓα²‖G‖₁) with ‖G‖₁ ≤ β‖AᵀG‖₁, hence
    **L0 = p·C_p·ℓ^{2−p}·Σ_i α_i²** (grows with m; the radius condition |δ_i| ≤ 1/ℓ holds as αβ ≥ 1). Tight for
    the ``grouped`` design (disjoint supports, equal ±scale/k entries: f is separable over m groups and the
    worst case puts every row at the 1-D maximiser, h = sign pattern/L1); certified but loose otherwise.

    Designs: ``grouped`` — row i is ±scale/k on its own random group of k = ⌊d/m⌋ coordinates (tight in both
    geometries); ``orthonormal`` — scale × orthonormal rows (tight in ℓ2); ``gaussian`` — scale·N(0, 1/d).

    Args:
        p: exponent, p > 2.
        m, d: A is m×d with 1 ≤ m ≤ d.
        geometry: ``"l2"`` or ``"linf"``.
        design: ``"grouped"``, ``"orthonormal"`` or ``"gaussian"``.
        scale: size of A.
        L1: the L1 > 0 at which L0 is given.
        sigma2: variance of the additive-noise oracle.
        seed, rng: randomness of A and x♮ (explicit Generator; default seed 0).
    """
    p = exponent(p)
    m = positive_int(m, "m")
    d = positive_int(d, "d")
    if m > d:
        raise ValueError(f"m must be ≤ d (A needs full row rank), got m={m}, d={d}")
    norm = _geometry(geometry)
    if design not in _DESIGNS:
        raise ValueError(f"design must be one of {_DESIGNS}, got {design!r}")
    scale = positive_float(scale, "scale")
    L1 = positive_float(L1, "L1")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    gen = make_rng(seed, rng)
    A = _design(design, m, d, scale, gen)
    x_nat = gen.standard_normal(d)
    b = A @ x_nat
    sv = np.linalg.svd(A, compute_uv=False)
    smax, smin = float(sv[0]), float(sv[-1])
    if not smin > 1e-12 * smax:
        raise ValueError("design: the drawn A is rank deficient; choose another seed")
    cp = abs_power_constant(p)
    alphas = np.abs(A).sum(axis=1)
    disjoint = _disjoint_rows(A)
    beta = 1.0 / float(alphas.min()) if disjoint else math.sqrt(m) / smin

    def tradeoff(l1: float, form: str) -> float:
        if l1 == 0:
            return math.inf
        if geometry == "l2":
            ell = l1 * smin / smax**2
            return p * smax**2 * cp * ell ** (2.0 - p)
        ell = l1 / (float(alphas.max()) ** 2 * beta)
        return p * cp * ell ** (2.0 - p) * float(np.sum(alphas**2))

    pinv = np.linalg.pinv(A)
    s = _sstar(p)
    if geometry == "l2":
        ell0 = L1 * smin / smax**2
    else:
        ell0 = L1 / (float(alphas.max()) ** 2 * beta)

    def witness(rng_w: np.random.Generator) -> tuple:
        if geometry == "l2":
            i = int(np.argmax(np.linalg.norm(A, axis=1)))
            e = np.zeros(m)
            e[i] = 1.0
            h = pinv @ e
            h = h / np.linalg.norm(h) / L1
        else:
            e = np.ones(m)
            h = np.sign(A).sum(axis=0)
            h = h / np.max(np.abs(h)) / L1
        X = np.stack([x_nat + pinv @ (f * s / ell0 * e) for f in (1.0, 0.95, 1.05)])
        return X, X + h

    tight = (geometry == "l2" and design in ("grouped", "orthonormal")) or (geometry == "linf" and design == "grouped")
    return Problem(
        name=f"lp_regression[p={p:g},m={m},d={d},{geometry},{design},L1={L1:g}]",
        family="lp_regression",
        shape=(d,),
        norm=norm,
        x0=np.zeros(d),
        L0=tradeoff(L1, "assumption"),
        L1=L1,
        L=None,
        f_star=0.0,
        f_star_attained=True,
        f_star_method="closed form (b = A x♮, so f(x♮) = 0)",
        x_star=x_nat,
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "bounded_below", "min_attained"},
        provenance="ℓp regression ‖Ax − b‖_p^p, p > 2 (ANCHORS §7 ℓp family composed with a full-row-rank map)",
        derivation=(
            "Asm 4.2 via the 1-D lemma per residual coordinate and injectivity of Aᵀ ("
            + ("σ_max²/σ_min" if geometry == "l2" else "α²β, Σα_i²")
            + ("; tight for this design" if tight else "; certified upper bound, NOT tight for this design")
            + ")"
        ),
        kernel=_PowerRegression(p),
        data={"A": A, "b": b},
        params={"p": p, "m": m, "d": d, "geometry": geometry, "design": design, "scale": scale, "L1": L1,
                "sigma2": sigma2},
        scale=(s + 1.0) / ell0 / max(smax, 1e-300),
        notes="" if tight else "constants certified but loose for this design (condition-number factors)",
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- Σ exp(a_iᵀx)
class _SumExp(Kernel):
    has_hvp = True

    def _e(self, x: Array, D) -> Array:
        z = x @ D["A"].mT
        guard_exp(z, "Σ exp(a_iᵀx)")
        return namespace(x).exp(z)

    def f(self, x: Array, D) -> Array:
        return namespace(x).sum(self._e(x, D), axis=-1)

    def grad(self, x: Array, D) -> Array:
        return self._e(x, D) @ D["A"]

    def hvp(self, x: Array, v: Array, D) -> Array:
        return (self._e(x, D) * (v @ D["A"].mT)) @ D["A"]


def sum_exp(
    d: int = 6,
    m: int | None = None,
    geometry: str = "linf",
    design: str = "identity",
    scale: float = 1.0,
    sigma2: float = 0.1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Problem:
    r"""f(x) = Σ_i exp(a_iᵀx) on ℝ^d (ℓ2 or ℓ∞ geometry); inf f = 0 is **not attained**.

    With e_i = exp(a_iᵀx) > 0, δ_i = a_iᵀh and u_i = e^{δ_i} − 1: ∇f(x) = Aᵀe and
    ∇f(x+h) − ∇f(x) = Aᵀ(e ⊙ u).

    **Coherence.** Assume the rows do not cancel in the dual norm: ‖Aᵀ(e ⊙ u)‖_* ≤ ‖u‖∞‖Aᵀe‖_* for all e ≥ 0.
    This holds in ℓ2 when a_iᵀa_j ≥ 0 for all i, j (expand the square) and in ℓ∞ (dual ℓ1) when every column of
    A has a constant sign (no cancellation inside |Σ_i e_i u_i a_ij|). Both designs satisfy both (checked at
    construction): ``identity`` (A = scale·I) and ``nonnegative`` (scale·U(0,1)/d entries times a random sign per
    column). Then 0 is outside conv{a_i} (Aw < 0 for w = −sign pattern), so inf f = 0 is not attained.

    **Assumption 4.2: (L0, L1) = (0, R/ln 2)** with R = max_i ‖a_i‖_* (ℓ2: row ℓ2 norms; ℓ∞: row ℓ1 norms).
    |u_i| ≤ e^{R‖h‖} − 1 ≤ (R/ln 2)‖h‖ for R‖h‖ ≤ ln 2 (chord of the convex e^s − 1 on [0, ln 2]), so
    ‖∇f(x+h) − ∇f(x)‖_* ≤ L1‖h‖·‖∇f(x)‖_*. Tight: for ``identity`` in ℓ∞ the ratio is exactly 1 at every x for
    h = 𝟙/L1. **Hessian form: (0, R)** (⟨h, ∇²f h⟩ = ⟨h, Aᵀ(e⊙δ)⟩ ≤ ‖h‖·R‖h‖·‖Aᵀe‖_* by coherence); ANCHORS
    (0, 1) for the identity.

    Args:
        d: dimension of x.
        m: number of terms (``identity``: m = d; default d).
        geometry: ``"l2"`` or ``"linf"``.
        design: ``"identity"`` or ``"nonnegative"``.
        scale: size of A.
        sigma2: variance of the additive-noise oracle.
        seed, rng: randomness of A (``nonnegative``).
    """
    d = positive_int(d, "d")
    m = d if m is None else positive_int(m, "m")
    norm = _geometry(geometry)
    scale = positive_float(scale, "scale")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    gen = make_rng(seed, rng)
    if design == "identity":
        if m != d:
            raise ValueError(f"m must equal d for the identity design, got m={m}, d={d}")
        A = scale * np.eye(d)
        signs = np.ones(d)
    elif design == "nonnegative":
        signs = _sign_pattern(gen, d)
        A = scale * gen.uniform(0.05, 1.0, (m, d)) / d * signs
    else:
        raise ValueError(f"design must be 'identity' or 'nonnegative', got {design!r}")
    gram_ok = bool(np.all(A @ A.T >= 0))
    cols_ok = bool(np.all((A >= 0).all(axis=0) | (A <= 0).all(axis=0)))
    if not (gram_ok and cols_ok):  # pragma: no cover - both designs satisfy it by construction
        raise ValueError("design: the rows of A are not coherent; the stated constants would not be certified")
    R = float(np.max(np.linalg.norm(A, axis=1) if geometry == "l2" else np.abs(A).sum(axis=1)))
    L1 = R / LN2

    def tradeoff(l1: float, form: str) -> float:
        threshold = R if form == "hessian" else R / LN2
        return 0.0 if l1 >= threshold * (1 - 1e-15) else math.inf

    def witness(rng_w: np.random.Generator) -> tuple:
        if geometry == "linf":
            h = signs / L1
            X = np.stack([t * signs for t in (-1.0, 0.0, 1.0)])
        else:
            i = int(np.argmax(np.linalg.norm(A, axis=1)))
            u = A[i] / np.linalg.norm(A[i])
            h = u / L1
            X = np.stack([t * u for t in (0.0, 2.0, 5.0)])
        return X, X + h

    return Problem(
        name=f"sum_exp[d={d},m={m},{geometry},{design}]",
        family="sum_exp",
        shape=(d,),
        norm=norm,
        x0=np.zeros(d),
        L0=0.0,
        L1=L1,
        L=None,
        f_star=0.0,
        f_star_attained=False,
        f_star_method="closed form (inf = 0 along −sign pattern; not attained)",
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "bounded_below"},
        provenance="Σ_i exp(a_iᵀx) (ANCHORS §7: Σ exp(x_i), (0, 1) in Hessian form)",
        derivation="Asm 4.2: (0, R/ln 2), R = max_i ‖a_i‖_*, via row coherence and e^s − 1 ≤ s/ln 2 on [0, ln 2]",
        kernel=_SumExp(),
        data={"A": A},
        params={"d": d, "m": m, "geometry": geometry, "design": design, "scale": scale, "sigma2": sigma2},
        hessian_constants=(0.0, R),
        scale=2.0 / R,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )
