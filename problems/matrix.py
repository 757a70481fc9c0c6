r"""Matrix families in the spectral geometry (‖·‖ = largest singular value, dual = nuclear norm ‖·‖_{S1}).

* :func:`quartic` — ¼‖XᵀX − I‖_F² (non-convex, quartic growth, certified (L0, L1));
* :func:`matrix_factorization` — ½‖UVᵀ − M‖_F² in U with the factor V fixed (convex quadratic, L-smooth);
  the joint problem in (U, V) is **not** (L0,L1)-smooth and lives in :mod:`problems.controls`;
* :func:`softmax_regression` — multinomial logistic regression with a matrix parameter W ∈ ℝ^{K×d}, in the
  spectral or the ℓ∞ (entrywise max) geometry.

Shapes are parameters: the same array-API code runs on tiny NumPy instances (tests) and on large torch CUDA
tensors (the data are moved to the device of x once and cached). Every kernel accepts leading batch dimensions.

Schatten–Hölder inequalities used below: ‖ABC‖_{S1} ≤ ‖A‖_{S2}‖B‖_{S∞}‖C‖_{S2}, ‖AB‖_{S1} ≤ ‖A‖_{S∞}‖B‖_{S1},
and ‖H‖_{S1} ≤ rank(H)·‖H‖_{S∞}.
"""

from __future__ import annotations

import math

import numpy as np

from ggnc_theory._backend import Array, device_of, namespace
from ggnc_theory.norms import Linf, Spectral

from ._base import Kernel, Problem, make_rng, positive_float, positive_int

__all__ = ["quartic", "quartic_psi", "matrix_factorization", "softmax_regression"]


# --------------------------------------------------------------------------------------------- quartic
class _Quartic(Kernel):
    """¼‖XᵀX − I‖_F², ∇ = X(XᵀX − I), ∇²[H] = H(XᵀX − I) + X(HᵀX + XᵀH)."""

    has_hvp = True

    def _G(self, X: Array) -> Array:
        xp = namespace(X)
        n = X.shape[-1]
        return X.mT @ X - xp.eye(n, dtype=X.dtype, device=device_of(X))

    def f(self, X: Array, D) -> Array:
        xp = namespace(X)
        G = self._G(X)
        return 0.25 * xp.sum(G * G, axis=(-2, -1))

    def grad(self, X: Array, D) -> Array:
        return X @ self._G(X)

    def hvp(self, X: Array, H: Array, D) -> Array:
        return H @ self._G(X) + X @ (H.mT @ X + X.mT @ H)


def quartic_psi(L1: float, form: str = "assumption") -> tuple[float, float]:
    r"""(sup_{σ≥0} ψ(σ), argmax) for the quartic's per-singular-value bound (closed form).

    ψ(σ) = |σ² − 1| + 2σ² + 3σ/L1 + 1/L1² − L1|σ³ − σ| (``"assumption"``) or without the 3σ/L1 + 1/L1² terms
    (``"hessian"``). On [0, 1] ψ is a convex cubic (ψ'' = 2 + 6L1σ > 0), so its max there is at 0 or 1; on
    [1, ∞) ψ' = 0 is the quadratic 3L1σ² − 6σ − (c/L1 + L1) = 0 with c = 3 (assumption) or 0 (hessian).
    """
    c = 3.0 if form == "assumption" else 0.0
    e = 1.0 if form == "assumption" else 0.0

    def psi(s: float) -> float:
        return abs(s * s - 1) + 2 * s * s + c * s / L1 + e / L1**2 - L1 * abs(s**3 - s)

    sc = (6.0 + math.sqrt(36.0 + 12.0 * L1 * (c / L1 + L1))) / (6.0 * L1)
    cands = [0.0, 1.0] + ([sc] if sc >= 1.0 else [])
    vals = [psi(s) for s in cands]
    i = int(np.argmax(vals))
    return float(vals[i]), float(cands[i])


def quartic(
    m: int = 4,
    n: int = 3,
    L1: float = 1.0,
    sigma2: float = 0.1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Problem:
    r"""f(X) = ¼‖XᵀX − I_n‖_F², X ∈ ℝ^{m×n}, in the spectral geometry (dual nuclear). Non-convex.

    With σ_i the singular values of X (r = min(m, n) of them), ∇f(X) = X(XᵀX − I) has singular values
    |σ_i³ − σ_i|, so ‖∇f(X)‖_* = Σ_i |σ_i³ − σ_i|.

    **Assumption 4.2: L0 = r·sup_{σ≥0} ψ(σ)**, ψ(σ) = |σ² − 1| + 2σ² + 3σ/L1 + 1/L1² − L1|σ³ − σ|
    (closed form in :func:`quartic_psi`; L1 = 1 gives L0 = r·13.13, attained at σ ≈ 2.53). Proof: with Y = X + H, t = ‖H‖_{S∞},
    ∇f(Y) − ∇f(X) = [H(XᵀX − I) + XHᵀX + XXᵀH] + [HHᵀX + HXᵀH + XHᵀH] + HHᵀH (for m ≥ n; for m < n put the
    −H on the left: (XXᵀ − I)H). By Schatten–Hölder the nuclear norms are at most tΣ|σ_i² − 1| + 2t‖X‖_F²,
    3t²‖X‖_{S1} and t²·rt, i.e. ‖∇f(Y) − ∇f(X)‖_* ≤ t·Σ_{i≤r}(|σ_i² − 1| + 2σ_i² + 3tσ_i + t²), increasing
    in t ≤ 1/L1; compare term by term with (L0/r + L1|σ_i³ − σ_i|). For σ ≥ 1 every inequality is an equality
    when X = σE, H = E/L1 (E = the m×n identity block), which is where the sup sits for L1 ≲ 3 — tight.
    **Hessian form** (upper bound): r·sup_σ(|σ² − 1| + 2σ² − L1|σ³ − σ|). Not L-smooth (quartic growth).

    f* = max(0, n − m)/4 (XᵀX has at most min(m, n) non-zero eigenvalues; attained).

    Args:
        m, n: shape of X (any sizes; large ones are the GPU path).
        L1: the L1 > 0 at which L0 is given.
        sigma2: variance of the additive-noise oracle.
        seed, rng: randomness of the default x0.
    """
    m = positive_int(m, "m")
    n = positive_int(n, "n")
    L1 = positive_float(L1, "L1")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    gen = make_rng(seed, rng)
    r = min(m, n)

    def tradeoff(l1: float, form: str) -> float:
        if l1 == 0:
            return math.inf
        return r * quartic_psi(l1, form)[0]

    sig = quartic_psi(L1)[1]
    E = np.eye(m, n)

    def witness(rng_w: np.random.Generator) -> tuple:
        X = np.stack([f * sig * E for f in (1.0, 0.97, 1.03)])
        return X, X + E / L1

    X0 = gen.standard_normal((m, n))
    X0 = 1.5 * X0 / np.linalg.norm(X0, 2)
    x_star = E.copy() if m >= n else None
    return Problem(
        name=f"quartic[m={m},n={n},L1={L1:g}]",
        family="quartic",
        shape=(m, n),
        norm=Spectral(),
        x0=X0,
        L0=tradeoff(L1, "assumption"),
        L1=L1,
        L=None,
        f_star=max(0, n - m) / 4.0,
        f_star_attained=True,
        f_star_method="closed form (XᵀX = I when m ≥ n; else (n − m)/4)",
        x_star=x_star,
        sigma2=sigma2,
        hypotheses={"nonconvex", "l0l1_smooth", "bounded_below", "min_attained"},
        provenance="quartic ¼‖XᵀX − I‖_F² (ANCHORS §7, matrix problems)",
        derivation="Asm 4.2: L0 = r·sup ψ(σ) by Schatten–Hölder per term; equality on X = σE, H = E/L1 (σ ≥ 1)",
        kernel=_Quartic(),
        params={"m": m, "n": n, "L1": L1, "sigma2": sigma2},
        hessian_constants=(tradeoff(L1, "hessian"), L1),
        scale=(sig + 1.0) / L1,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- MF, V fixed
class _FactorU(Kernel):
    """½‖UVᵀ − M‖_F² in U: ∇ = (UVᵀ − M)V, ∇²[H] = HVᵀV."""

    has_hvp = True

    def f(self, U: Array, D) -> Array:
        xp = namespace(U)
        R = U @ D["V"].mT - D["M"]
        return 0.5 * xp.sum(R * R, axis=(-2, -1))

    def grad(self, U: Array, D) -> Array:
        return (U @ D["V"].mT - D["M"]) @ D["V"]

    def hvp(self, U: Array, H: Array, D) -> Array:
        return H @ D["VtV"]


def matrix_factorization(
    m: int = 4,
    n: int = 5,
    k: int = 2,
    sigma2: float = 0.1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Problem:
    r"""f(U) = ½‖UVᵀ − M‖_F², U ∈ ℝ^{m×k}, with the factor V ∈ ℝ^{n×k} **fixed**, spectral geometry on U.

    Choice: the joint problem in (U, V) is not (L0,L1)-smooth for any constants — along the rescaling
    (tU, V/t) of a critical point the gradient stays 0 while the curvature grows like t² — so no honest global
    constants exist for it (see :func:`problems.controls.matrix_factorization_uv`, a negative control). With V
    fixed the problem is a convex quadratic with certified, tight constants.

    **Constants: (L0, L1) = (L, 0), L = Σ_{i≤min(m,k)} λ_i(VᵀV)** (= ‖V‖_F² when m ≥ k). ∇f(U+H) − ∇f(U) = HVᵀV
    and sup_{‖H‖_{S∞}≤1} ‖HVᵀV‖_{S1} = Σ_{i≤rank H} λ_i(VᵀV) (von Neumann / Ky Fan), attained at H = Σ_i e_i q_iᵀ
    with q_i the top eigenvectors of VᵀV. Linear gradient: the ratio is exactly 1 along H for every pair.

    f* = ½‖M(I − P_V)‖_F² with P_V = V(VᵀV)⁻¹Vᵀ, attained at U* = MV(VᵀV)⁻¹ (closed form).

    Args:
        m, n, k: M is m×n, U is m×k, V is n×k (k ≤ n so V has full column rank).
        sigma2: variance of the additive-noise oracle.
        seed, rng: randomness of V and M.
    """
    m = positive_int(m, "m")
    n = positive_int(n, "n")
    k = positive_int(k, "k")
    if k > n:
        raise ValueError(f"k must be ≤ n (V needs full column rank), got k={k}, n={n}")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    gen = make_rng(seed, rng)
    V = gen.standard_normal((n, k)) / math.sqrt(n)
    M = gen.standard_normal((m, n))
    VtV = V.T @ V
    lam, Q = np.linalg.eigh(VtV)
    lam, Q = lam[::-1], Q[:, ::-1]
    if not lam[-1] > 1e-12 * lam[0]:
        raise ValueError("seed: the drawn V is rank deficient; choose another seed")
    rk = min(m, k)
    L = float(np.sum(lam[:rk]))
    U_star = M @ V @ np.linalg.inv(VtV)
    R_star = U_star @ V.T - M
    f_star = 0.5 * float(np.sum(R_star * R_star))
    Htop = sum(np.outer(np.eye(m)[i], Q[:, i]) for i in range(rk))

    def witness(rng_w: np.random.Generator) -> tuple:
        X = np.stack([U_star, U_star + rng_w.standard_normal((m, k))])
        return X, X + 0.5 * Htop

    return Problem(
        name=f"matrix_factorization[m={m},n={n},k={k}]",
        family="matrix_factorization",
        shape=(m, k),
        norm=Spectral(),
        x0=np.zeros((m, k)),
        L0=L,
        L1=0.0,
        L=L,
        f_star=f_star,
        f_star_attained=True,
        f_star_method="closed form (least squares in U: ½‖M(I − P_V)‖_F²)",
        x_star=U_star,
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "l_smooth", "bounded_below", "min_attained"},
        provenance="matrix factorisation ½‖UVᵀ − M‖_F² with V fixed (ANCHORS §7); joint (U,V): see controls",
        derivation="(L, 0), L = Σ_{i≤min(m,k)} λ_i(VᵀV): sup_{‖H‖≤1}‖HVᵀV‖_* by Ky Fan, attained (tight)",
        kernel=_FactorU(),
        data={"V": V, "M": M, "VtV": VtV},
        params={"m": m, "n": n, "k": k, "sigma2": sigma2},
        hessian_constants=(L, 0.0),
        scale=1.0,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- softmax
class _Softmax(Kernel):
    """(1/n)Σ_s [LSE(W a_s) − (W a_s)_{y_s}] with logits Z = A Wᵀ (n×K), one-hot labels Y."""

    has_hvp = True

    def __init__(self, batch: int):
        self.batch = batch

    @staticmethod
    def _logits(W: Array, A: Array) -> Array:
        return A @ W.mT

    @staticmethod
    def _softmax(Z: Array) -> Array:
        xp = namespace(Z)
        e = xp.exp(Z - xp.max(Z, axis=-1, keepdims=True))
        return e / xp.sum(e, axis=-1, keepdims=True)

    def f(self, W: Array, D) -> Array:
        xp = namespace(W)
        Z = self._logits(W, D["A"])
        mx = xp.max(Z, axis=-1, keepdims=True)
        lse = xp.squeeze(mx, axis=-1) + xp.log(xp.sum(xp.exp(Z - mx), axis=-1))
        return xp.mean(lse - xp.sum(D["Y"] * Z, axis=-1), axis=-1)

    def grad(self, W: Array, D) -> Array:
        return self._grad(W, D["A"], D["Y"])

    def _grad(self, W: Array, A: Array, Y: Array) -> Array:
        P = self._softmax(self._logits(W, A))
        return (P - Y).mT @ A / A.shape[0]

    def hvp(self, W: Array, V: Array, D) -> Array:
        xp = namespace(W)
        A = D["A"]
        P = self._softmax(self._logits(W, A))
        Zd = self._logits(V, A)
        S = P * Zd - P * xp.sum(P * Zd, axis=-1, keepdims=True)
        return S.mT @ A / A.shape[0]

    def minibatch_grad(self, W: Array, rng: np.random.Generator, D) -> Array:
        xp = namespace(W)
        n = D["A"].shape[0]
        idx = xp.asarray(rng.integers(0, n, size=self.batch), device=device_of(W))
        return self._grad(W, xp.take(D["A"], idx, axis=0), xp.take(D["Y"], idx, axis=0))


_SOFTMAX_SOLVE_LIMIT = 20_000  # n·K above which f* is not computed at construction (cvxpy cost)


def _solve_softmax(A: np.ndarray, Y: np.ndarray, kernel: _Softmax) -> tuple[float, np.ndarray, float]:
    """f* by cvxpy (Clarabel), then Newton polish (pseudo-inverse: the loss is invariant to W + 𝟙cᵀ)."""
    import cvxpy as cp

    n, d = A.shape
    K = Y.shape[1]
    Wv = cp.Variable((K, d))
    Z = A @ Wv.T
    obj = (cp.sum(cp.log_sum_exp(Z, axis=1)) - cp.sum(cp.multiply(Y, Z))) / n
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver="CLARABEL")
    if prob.status not in ("optimal", "optimal_inaccurate") or Wv.value is None:
        raise ValueError(f"seed: cvxpy could not solve this softmax instance (status {prob.status})")
    D = {"A": A, "Y": Y}
    W = np.array(Wv.value)
    cvx_value = float(prob.value)
    basis = np.eye(K * d).reshape(K * d, K, d)
    for _ in range(30):
        g = kernel.grad(W, D)
        if np.linalg.norm(g) < 1e-14:
            break
        Hm = kernel.hvp(np.broadcast_to(W, basis.shape), basis, D).reshape(K * d, K * d)
        step = -(np.linalg.pinv(Hm, rcond=1e-12) @ g.reshape(-1)).reshape(K, d)
        W = W + step
    f_star = float(kernel.f(W, D))
    # Clarabel's default gap tolerances are 1e-8 (absolute and relative); keep the larger of that and the gap
    # between the solver's value and the polished one as the recorded accuracy.
    tol = max(1e-8, abs(cvx_value - f_star))
    return f_star, W, tol


def softmax_regression(
    n: int = 40,
    d: int = 5,
    K: int = 3,
    geometry: str = "spectral",
    noise: float = 0.3,
    batch: int = 1,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    solve: bool | None = None,
) -> Problem:
    r"""Softmax (multinomial logistic) regression f(W) = (1/n)Σ_s [LSE(W a_s) − (W a_s)_{y_s}], W ∈ ℝ^{K×d}.

    Data: a_s = μ + noise·z_s (μ_j = ±(1 + U(0,1)), z_s ~ N(0, I)), labels y_s uniform in {1..K} — a dominant
    common direction with random labels, so the data are not separable (inf f is attained) and the bounds
    below are nearly attained. With π_s = softmax(W a_s), ∇f = (1/n)Σ_s (π_s − e_{y_s})a_sᵀ and
    ⟨V, ∇²f[H]⟩ = (1/n)Σ_s Cov_{π_s}(V a_s, H a_s).

    **Spectral geometry: (L0, L1) = (L, 0), L = (1/(2n))·Σ_{i≤min(K,d)} σ_i(A)².** Cov ≤ √(Var·Var) and
    Var_π(v) ≤ λ_max(diag π − ππᵀ)‖v‖₂² ≤ ½‖v‖₂² (Gershgorin: row sums 2π_i(1 − π_i) ≤ ½); then Cauchy–Schwarz
    over s and ‖HAᵀ‖_F² ≤ Σ_{i≤rank H} σ_i(A)² for ‖H‖_{S∞} ≤ 1 (von Neumann). Nearly tight here: W = t(e₁+e₂)v₁ᵀ
    (all π_s ≈ (½, ½, 0…)) and H = (e₁ − e₂)v₁ᵀ/√2 reach σ₁²/Σ_{i≤min(K,d)}σ_i² of the bound (≈ 0.98).

    **ℓ∞ (entrywise max) geometry: L = (1/n)Σ_s ‖a_s‖₁².** For ‖H‖_max ≤ 1 the entries of Ha_s lie in
    [−‖a_s‖₁, ‖a_s‖₁], so Var_π(Ha_s) ≤ (2‖a_s‖₁)²/4 (Popoviciu); Cauchy–Schwarz as above. Tight when the a_s
    share a sign pattern σ (here, up to rare noise flips): W = t(e₁+e₂)σᵀ, H = (e₁ − e₂)σᵀ.

    Both: L-smooth, convex, Hessian form equal. Stochastic oracle: minibatch of ``batch`` samples drawn
    uniformly with replacement, unbiased, with E‖ĝ − ∇f‖₂² ≤ (1/batch)·(1/n)Σ_s‖π_s − e_{y_s}‖₂²‖a_s‖₂² ≤
    σ² := 2Σ_s‖a_s‖₂²/(n·batch) (‖π − e_y‖₂² ≤ 2).

    f*: cvxpy (Clarabel) then Newton polish (recorded in ``f_star_method``/``f_star_tol``); skipped when
    n·K > 20 000 unless ``solve=True`` (then ``f_star`` is None).

    Args:
        n, d, K: samples, features, classes (K ≥ 2).
        geometry: ``"spectral"`` or ``"linf"``.
        noise: spread of the features around μ.
        batch: minibatch size of the stochastic oracle.
        seed, rng: randomness of the data.
        solve: compute f* (default: only for small instances).
    """
    n = positive_int(n, "n")
    d = positive_int(d, "d")
    K = positive_int(K, "K", minimum=2)
    if geometry not in ("spectral", "linf"):
        raise ValueError(f"geometry must be 'spectral' or 'linf', got {geometry!r}")
    noise = positive_float(noise, "noise", allow_zero=True)
    batch = positive_int(batch, "batch")
    gen = make_rng(seed, rng)
    mu = np.where(gen.random(d) < 0.5, -1.0, 1.0) * (1.0 + gen.random(d))
    A = mu + noise * gen.standard_normal((n, d))
    y = gen.integers(0, K, size=n)
    Y = np.eye(K)[y]
    kernel = _Softmax(batch)
    sv = np.linalg.svd(A, compute_uv=False)
    if geometry == "spectral":
        L = float(np.sum(sv[: min(K, d)] ** 2)) / (2.0 * n)
        norm = Spectral()
    else:
        L = float(np.mean(np.abs(A).sum(axis=1) ** 2))
        norm = Linf()
    sigma2 = 2.0 * float(np.sum(A * A)) / (n * batch)
    if solve is None:
        solve = n * K <= _SOFTMAX_SOLVE_LIMIT
    if solve:
        f_star, W_star, tol = _solve_softmax(A, Y, kernel)
        method = "cvxpy (Clarabel, default tolerances) + Newton polish"
    else:
        f_star, W_star, tol = None, None, math.nan
        method = "not computed (n·K > 20000); pass solve=True"

    if geometry == "spectral":
        _, _, Vt = np.linalg.svd(A, full_matrices=False)
        v = Vt[0] * np.sign(np.mean(A @ Vt[0]))
        direction, Hdir = v, v / math.sqrt(2.0)
    else:
        sgn = np.sign(mu)
        direction, Hdir = sgn, sgn
    proj = A @ direction

    def witness(rng_w: np.random.Generator) -> tuple:
        t = 25.0 / max(float(np.min(proj)), 1e-3 * float(np.max(np.abs(proj))))
        e12, d12 = np.zeros(K), np.zeros(K)
        e12[:2], d12[:2] = 1.0, (1.0, -1.0)
        W = t * np.outer(e12, direction)
        H = np.outer(d12, Hdir)
        X = np.stack([W, W, W])
        return X, X + np.array([1e-4, 1e-2, 1e-1])[:, None, None] * H

    return Problem(
        name=f"softmax_regression[n={n},d={d},K={K},{geometry}]",
        family="softmax_regression",
        shape=(K, d),
        norm=norm,
        x0=np.zeros((K, d)),
        L0=L,
        L1=0.0,
        L=L,
        f_star=f_star,
        f_star_attained=True if solve else None,
        f_star_method=method,
        f_star_tol=tol,
        x_star=W_star,
        sigma2=sigma2,
        stochastic=f"minibatch of {batch} sample(s), uniform with replacement; σ² = 2Σ‖a_s‖²/(n·batch)",
        hypotheses={"convex", "l0l1_smooth", "l_smooth", "bounded_below", "min_attained", "stochastic_minibatch"},
        provenance="softmax regression with a matrix parameter (LSE of an affine map of W; ANCHORS §7)",
        derivation=(
            "(L, 0): Cov ≤ √(Var·Var), "
            + ("Var ≤ ½‖v‖², Ky Fan over top-min(K,d) σ_i(A)²" if geometry == "spectral" else "Popoviciu Var ≤ ‖a_s‖₁²")
            + "; nearly tight (dominant-mean data)"
        ),
        kernel=kernel,
        data={"A": A, "Y": Y},
        params={"n": n, "d": d, "K": K, "geometry": geometry, "noise": noise, "batch": batch},
        hessian_constants=(L, 0.0),
        scale=5.0 / float(np.max(np.abs(A).sum(axis=1))),
        witness_fn=witness,
    )
