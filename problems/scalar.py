r"""One-dimensional exemplars: |x|^p (p > 2), exp(a·x) and the logistic loss log(1 + exp(−a·x)).

x is an array of shape (1,) and the geometry is ℓ2 (every norm on ℝ is |·|). Each problem carries its whole
admissible trade-off curve ``problem.tradeoff(L1, form)`` = the smallest L0 that works with L1, for both
forms (:data:`problems.FORMS`):

* ``"assumption"`` — Assumption 4.2 as printed: |f'(x) − f'(y)| ≤ (L0 + L1|f'(x)|)|x − y| for |x − y| ≤ 1/L1,
  i.e. min L0(L1) = sup_{x, 0<|h|≤1/L1} ( |f'(x+h) − f'(x)|/|h| − L1|f'(x)| );
* ``"hessian"`` — f''(x) ≤ L0 + L1|f'(x)|, i.e. min L0(L1) = sup_x ( f''(x) − L1|f'(x)| ) (ANCHORS §7).

The Assumption 4.2 curve lies above the Hessian one (let h → 0), often strictly: the gradient at y = x + h
can exceed the gradient at the base point x. The closed forms below are re-derived symbolically by
:func:`derive` (sympy) and checked against brute-force suprema in the tests.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ggnc_theory._backend import Array, namespace
from ggnc_theory.norms import L2

from ._base import Kernel, Problem, exponent, guard_exp, positive_float

__all__ = ["abs_power", "exp", "logistic", "abs_power_constant", "derive", "LN2"]

LN2 = math.log(2.0)


# --------------------------------------------------------------------------------------------- |x|^p
def _sstar(p: float) -> float:
    """Maximiser s* of φ(s) = (s+1)^{p−1} − 2s^{p−1}: ((s+1)/s)^{p−2} = 2 ⇔ s* = 1/(2^{1/(p−2)} − 1)."""
    q = 2.0 ** (-1.0 / (p - 2.0))
    return q / (1.0 - q)


def abs_power_constant(p: float) -> float:
    r"""C_p = sup_{s≥0} [(s+1)^{p−1} − 2s^{p−1}] = (1 − 2^{−1/(p−2)})^{−(p−2)}.

    With g(s) = sign(s)|s|^{p−1}, C_p is the smallest c with |g(s+u) − g(s)| ≤ (c + |g(s)|)|u| for all s and
    |u| ≤ 1 (Assumption 4.2 for (1/p)|x|^p at L1 = 1). Written with ``log1p`` so it is accurate for p near 2.
    """
    p = exponent(p)
    return math.exp(-(p - 2.0) * math.log1p(-(2.0 ** (-1.0 / (p - 2.0)))))


class PowerSum(Kernel):
    r"""(c/p)·Σ_i |x_i|^p over the last axis: ∇ = c·sign(x)|x|^{p−1}, ∇²[v] = c(p−1)|x|^{p−2}·v.

    ``c = p`` gives |x|^p (:func:`abs_power`), ``c = 1`` gives (1/p)‖x‖_p^p (:func:`problems.vector.lp_norm`).
    """

    has_hvp = True

    def __init__(self, p: float, c: float = 1.0):
        self.p = p
        self.c = c

    def f(self, x: Array, D) -> Array:
        xp = namespace(x)
        return (self.c / self.p) * xp.sum(xp.abs(x) ** self.p, axis=-1)

    def grad(self, x: Array, D) -> Array:
        xp = namespace(x)
        return self.c * xp.sign(x) * xp.abs(x) ** (self.p - 1.0)

    def hvp(self, x: Array, v: Array, D) -> Array:
        xp = namespace(x)
        return self.c * (self.p - 1.0) * xp.abs(x) ** (self.p - 2.0) * v


def abs_power(p: float = 4.0, L1: float = 1.0, sigma2: float = 0.1, x0: float = 2.0) -> Problem:
    r"""f(x) = |x|^p on ℝ, p > 2 (Zhang et al. 2020; Chen et al. 2023; ANCHORS §7).

    f'(x) = p·sign(x)|x|^{p−1}, f''(x) = p(p−1)|x|^{p−2}. Convex, min 0 at x = 0, not L-smooth.

    **Hessian form.** sup_t p(p−1)t^{p−2} − L1·p·t^{p−1} is attained at t = (p−2)/L1 and equals
    p((p−2)/L1)^{p−2} (ANCHORS: x⁴ → (16, 1)).

    **Assumption 4.2.** Scale x = s/L1, h = u/L1 (|u| ≤ 1): the condition becomes
    p·L1^{2−p}·[ |g(s+u) − g(s)|/|u| − |g(s)| ] ≤ L0 with g(s) = sign(s)|s|^{p−1}. g is odd and convex on
    [0, ∞), so for s ≥ 0 the secant slope is largest at u = +1 (moving away from 0; intervals crossing 0 have
    slope ≤ 1 ≤ (s+1)^{p−1} − s^{p−1}). Hence min L0(L1) = p·C_p/L1^{p−2} with
    C_p = sup_{s≥0} (s+1)^{p−1} − 2s^{p−1} = (1 − 2^{−1/(p−2)})^{2−p}, attained at s* = 1/(2^{1/(p−2)} − 1).
    For p = 4: C_4 = 11.657 vs the Hessian-form 4 (factor 2.9); p = 3: 2 vs 1. Equality holds at the
    witness pair x = s*/L1, y = x + 1/L1.

    Args:
        p: exponent, p > 2.
        L1: the L1 > 0 at which L0 is taken from the curve (L1 = 0 is impossible: not L-smooth).
        sigma2: variance of the additive-noise oracle.
        x0: default starting point.
    """
    p = exponent(p)
    L1 = positive_float(L1, "L1")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    x0 = float(x0)
    cp = abs_power_constant(p)

    def tradeoff(l1: float, form: str) -> float:
        if l1 == 0:
            return math.inf
        if form == "hessian":
            return p * ((p - 2.0) / l1) ** (p - 2.0)
        return p * cp / l1 ** (p - 2.0)

    s = _sstar(p)

    def witness(rng: np.random.Generator) -> tuple:
        t = np.array([s, s * 0.9, s * 1.1, -s, s])[:, None] / L1
        u = np.array([1.0, 1.0, 1.0, -1.0, 0.999])[:, None] / L1
        return t, t + u

    return Problem(
        name=f"abs_power[p={p:g},L1={L1:g}]",
        family="abs_power",
        shape=(1,),
        norm=L2(),
        x0=np.array([x0]),
        L0=tradeoff(L1, "assumption"),
        L1=L1,
        L=None,
        f_star=0.0,
        f_star_attained=True,
        f_star_method="closed form (x* = 0)",
        x_star=np.zeros(1),
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "bounded_below", "min_attained"},
        provenance="|x|^p, p > 2: Zhang et al. 2020, Chen et al. 2023; ANCHORS §7",
        derivation=(
            f"Asm 4.2: L0 = p·C_p/L1^(p−2), C_p = (1−2^(−1/(p−2)))^(2−p) = {cp:.6g} (closed form, tight at "
            f"x = s*/L1, y = x + 1/L1); Hessian form: p((p−2)/L1)^(p−2)"
        ),
        kernel=PowerSum(p, c=p),
        params={"p": p, "L1": L1, "sigma2": sigma2, "x0": x0},
        hessian_constants=(tradeoff(L1, "hessian"), L1),
        scale=(s + 1.0) / L1,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- exp
class _Exp(Kernel):
    has_hvp = True

    def __init__(self, a: float):
        self.a = a

    def _e(self, x: Array) -> Array:
        z = self.a * x
        guard_exp(z, "exp(a·x)")
        return namespace(x).exp(z)

    def f(self, x: Array, D) -> Array:
        return namespace(x).sum(self._e(x), axis=-1)

    def grad(self, x: Array, D) -> Array:
        return self.a * self._e(x)

    def hvp(self, x: Array, v: Array, D) -> Array:
        return self.a**2 * self._e(x) * v


def exp(a: float = 1.0, L1: float | None = None, sigma2: float = 0.1, x0: float = 1.0) -> Problem:
    r"""f(x) = exp(a·x) on ℝ, a > 0 (an exponential-type exemplar; inf f = 0 is not attained).

    f' = a·e^{ax}, f'' = a²e^{ax}. Since |f'| is unbounded, any admissible pair must have L0 = 0 (else the
    slack is wasted): the curve is a threshold in L1.

    **Hessian form.** a²e^{ax} ≤ L0 + L1·a·e^{ax} for all x ⇔ L1 ≥ a; then min L0 = 0 (ANCHORS: (0, ‖a‖_*)).

    **Assumption 4.2.** |f'(x+h) − f'(x)| = f'(x)|e^{ah} − 1|. With L0 = 0 we need |e^{ah} − 1| ≤ L1|h| for
    |h| ≤ 1/L1; the worst h is +1/L1 (e^s − 1 ≥ 1 − e^{−s}), and (e^{ah} − 1)/h is increasing, so the condition
    is L1(e^{a/L1} − 1) ≤ 1·L1, i.e. **L1 ≥ a/ln 2** (≈ 1.443a, not a). With L1 < a/ln 2 no L0 works (the
    violation grows with e^{ax}). Equality at h = 1/L1 for every x when L1 = a/ln 2.

    Args:
        a: the rate a > 0.
        L1: L1 ≥ a/ln 2 (default a/ln 2, the tight value).
        sigma2: variance of the additive-noise oracle.
        x0: default starting point.
    """
    a = positive_float(a, "a")
    L1 = a / LN2 if L1 is None else positive_float(L1, "L1")
    if L1 < a / LN2 * (1 - 1e-15):
        raise ValueError(f"L1 must be ≥ a/ln 2 = {a / LN2:.6g} for exp(a·x) (Assumption 4.2), got {L1!r}")
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    x0 = float(x0)

    def tradeoff(l1: float, form: str) -> float:
        threshold = a if form == "hessian" else a / LN2
        return 0.0 if l1 >= threshold * (1 - 1e-15) else math.inf

    def witness(rng: np.random.Generator) -> tuple:
        x = np.array([-3.0, 0.0, 2.0, 5.0])[:, None] / a
        return x, x + 1.0 / L1

    return Problem(
        name=f"exp[a={a:g},L1={L1:g}]",
        family="exp",
        shape=(1,),
        norm=L2(),
        x0=np.array([x0]),
        L0=0.0,
        L1=L1,
        L=None,
        f_star=0.0,
        f_star_attained=False,
        f_star_method="closed form (inf = 0 as x → −∞, not attained)",
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "bounded_below"},
        provenance="exp-type exemplar (ANCHORS §7: exp(⟨a,x⟩), (0, ‖a‖_*) in Hessian form)",
        derivation="Asm 4.2: (0, a/ln 2) exactly (needs e^{a/L1} ≤ 2); Hessian form: (0, a)",
        kernel=_Exp(a),
        params={"a": a, "L1": L1, "sigma2": sigma2, "x0": x0},
        hessian_constants=(tradeoff(L1, "hessian"), L1),
        scale=2.0 / a,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- logistic
class _Logistic(Kernel):
    has_hvp = True

    def __init__(self, a: float):
        self.a = a

    @staticmethod
    def _sig_neg(z: Array) -> tuple[Array, Array]:
        """(σ(−z), e^{−|z|}) computed without overflow."""
        xp = namespace(z)
        e = xp.exp(-xp.abs(z))
        return xp.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e)), e

    def f(self, x: Array, D) -> Array:
        xp = namespace(x)
        z = self.a * x
        # softplus(−z) = max(−z, 0) + log1p(e^{−|z|})
        return xp.sum(xp.maximum(-z, 0.0 * z) + xp.log1p(xp.exp(-xp.abs(z))), axis=-1)

    def grad(self, x: Array, D) -> Array:
        return -self.a * self._sig_neg(self.a * x)[0]

    def hvp(self, x: Array, v: Array, D) -> Array:
        _, e = self._sig_neg(self.a * x)
        return self.a**2 * (e / (1.0 + e) ** 2) * v


@functools.lru_cache(maxsize=256)
def _logistic_unit(ell: float) -> float:
    r"""c(ℓ) = sup_{t, 0<|k|≤1/ℓ} |q(t+k) − q(t)|/|k| − ℓ·q(t), q(t) = 1/(1 + e^t) (numerical, rounded up).

    Closed-form ends: c(0) = 1/4 (sup |q'|) and c(ℓ) = 0 for ℓ ≥ 1/ln 2. In between: a 2-D grid over
    (t, k) followed by bounded L-BFGS-B refinement from the best grid points; the result is rounded up by a
    relative 1e-9 so that it stays an upper bound despite the finite optimisation accuracy (the tests compare
    it with an independent brute-force grid).
    """
    from scipy.optimize import minimize
    from scipy.special import expit

    if ell == 0:
        return 0.25
    if ell >= 1.0 / LN2:
        return 0.0
    R = 1.0 / ell
    q = lambda t: expit(-t)  # noqa: E731

    def obj(v: np.ndarray) -> float:
        t, k = v
        return -(abs(q(t + k) - q(t)) / abs(k) - ell * q(t))

    T = np.linspace(-40.0 - R, 40.0, 2401)[:, None]
    best = -np.inf
    for sign in (-1.0, 1.0):
        K = sign * np.geomspace(1e-6 * R, R, 600)[None, :]
        vals = np.abs(q(T + K) - q(T)) / np.abs(K) - ell * q(T)
        order = np.argsort(vals, axis=None)[::-1][:5]
        for idx in order:
            i, j = np.unravel_index(idx, vals.shape)
            lo, hi = (1e-9 * R, R) if sign > 0 else (-R, -1e-9 * R)
            res = minimize(obj, x0=[T[i, 0], K[0, j]], method="L-BFGS-B", bounds=[(-60.0 - R, 60.0), (lo, hi)])
            best = max(best, float(vals[i, j]), -float(res.fun))
    return max(best, 0.0) * (1.0 + 1e-9)


def logistic(a: float = 1.0, L1: float | None = None, sigma2: float = 0.1, x0: float = -2.0) -> Problem:
    r"""f(x) = log(1 + exp(−a·x)) on ℝ, a > 0 (one-sample logistic loss; inf 0 is not attained).

    f'(x) = −a·q(ax), f''(x) = a²q(ax)(1 − q(ax)) with q(t) = 1/(1 + e^t) ∈ (0, 1).

    **Hessian form** (ANCHORS: (0, a) and (a²/4, 0)). With u = q ∈ (0,1): a²u(1−u) ≤ L0 + L1·a·u, so
    min L0(L1) = sup_u a u (a(1−u) − L1) = (a − L1)²/4 for L1 < a, and 0 for L1 ≥ a.

    **Assumption 4.2.** Substituting t = ax, k = ah reduces to a = 1: min L0(L1) = a²·c(L1/a) with
    c(ℓ) = sup_{t,0<|k|≤1/ℓ} |q(t+k) − q(t)|/|k| − ℓq(t). Ends in closed form: c(0) = 1/4 (L-smooth,
    L = a²/4); and c(ℓ) = 0 **iff ℓ ≥ 1/ln 2**: q(t+k)/q(t) ∈ [e^{−|k|}, e^{|k|}] gives
    |q(t+k) − q(t)| ≤ q(t)(e^{|k|} − 1) ≤ ℓ q(t)|k| for |k| ≤ 1/ℓ exactly when e^{1/ℓ} ≤ 2, and the ratio tends
    to 1 as t → ∞ with k = −1/ℓ. In between c is computed numerically (:func:`_logistic_unit`); e.g.
    c(1) ≈ 0.032, so the Hessian-form point (0, a) needs L0 ≈ 0.032a² in Assumption 4.2.

    Args:
        a: the margin scale a > 0 (a = y·feature).
        L1: L1 ≥ 0 (default a/ln 2, where L0 = 0 exactly). Other values take L0 from the curve (numerical
            strictly between 0 and a/ln 2).
        sigma2: variance of the additive-noise oracle.
        x0: default starting point.
    """
    a = positive_float(a, "a")
    L1 = a / LN2 if L1 is None else positive_float(L1, "L1", allow_zero=True)
    sigma2 = positive_float(sigma2, "sigma2", allow_zero=True)
    x0 = float(x0)

    def tradeoff(l1: float, form: str) -> float:
        if form == "hessian":
            return (a - l1) ** 2 / 4.0 if l1 < a else 0.0
        return a * a * _logistic_unit(l1 / a)

    L0 = tradeoff(L1, "assumption")
    exact = L1 == 0 or L1 >= a / LN2

    def witness(rng: np.random.Generator) -> tuple:
        if L1 == 0:
            x = np.array([0.0, 0.0, 0.1, -0.1])[:, None] / a
            return x, x + np.array([1e-4, -1e-4, 1e-3, 1e-3])[:, None] / a
        x = np.array([5.0, 15.0, 30.0, 2.0])[:, None] / a
        return x, x - 1.0 / L1

    return Problem(
        name=f"logistic[a={a:g},L1={L1:g}]",
        family="logistic",
        shape=(1,),
        norm=L2(),
        x0=np.array([x0]),
        L0=L0,
        L1=L1,
        L=a * a / 4.0,
        f_star=0.0,
        f_star_attained=False,
        f_star_method="closed form (inf = 0 as x → +∞, not attained)",
        sigma2=sigma2,
        hypotheses={"convex", "l0l1_smooth", "l_smooth", "bounded_below"},
        provenance="one-sample logistic loss (ANCHORS §7: (0, ‖a‖_*) and (‖a‖_*²/4, 0) in Hessian form)",
        derivation=(
            "Asm 4.2: L0 = a²·c(L1/a); c(0) = 1/4, c(ℓ) = 0 for ℓ ≥ 1/ln 2 (closed form), numerical in between"
            + ("" if exact else " (this instance: numerical sup, rounded up)")
            + "; Hessian form: (a − L1)²/4"
        ),
        kernel=_Logistic(a),
        params={"a": a, "L1": L1, "sigma2": sigma2, "x0": x0},
        hessian_constants=(tradeoff(L1, "hessian"), L1),
        scale=10.0 / a,
        tradeoff_fn=tradeoff,
        witness_fn=witness,
    )


# --------------------------------------------------------------------------------------------- sympy
def derive(family: str, form: str = "assumption") -> Any:
    r"""Re-derive a closed-form trade-off curve min L0(L1) with sympy; returns a sympy expression.

    * ``("abs_power", "hessian")``: maximise p(p−1)t^{p−2} − L1·p·t^{p−1} over t > 0 → p((p−2)/L1)^{p−2}.
    * ``("abs_power", "assumption")``: maximise φ(s) = (s+1)^{p−1} − 2s^{p−1}; the stationarity condition
      (p−1)[(s+1)^{p−2} − 2s^{p−2}] = 0 is solved as (p−2)·log(1 + 1/s) = log 2; result p·φ(s*)/L1^{p−2}.
    * ``("exp", "assumption")``: the threshold L1 solving e^{a/L1} = 2 (L0 = 0 above it) → a/log 2.
    * ``("logistic", "hessian")``: maximise a·u(a(1−u) − L1) over u → (a − L1)²/4 (valid for L1 ≤ a).
    * ``("logistic", "assumption")``: the ends c(0) = max_u u(1−u) = 1/4 and the threshold 1/log 2, returned
      as a tuple (no closed form in between).

    Symbols: ``p, L1, a`` (positive).
    """
    import sympy as sp

    p, L1, a, t, s, u = sp.symbols("p L1 a t s u", positive=True)
    if (family, form) == ("abs_power", "hessian"):
        expr = p * (p - 1) * t ** (p - 2) - L1 * p * t ** (p - 1)
        crit = sp.solve(sp.Eq(sp.diff(expr, t) / (p * t ** (p - 3)), 0), t)
        return sp.simplify(expr.subs(t, crit[0]))
    if (family, form) == ("abs_power", "assumption"):
        phi = (s + 1) ** (p - 1) - 2 * s ** (p - 1)
        # d/ds φ = (p−1)[(s+1)^{p−2} − 2 s^{p−2}] = 0  ⇔  (p−2)·log((s+1)/s) = log 2
        crit = sp.solve(sp.Eq((p - 2) * sp.log(1 + 1 / s), sp.log(2)), s)
        return sp.simplify(p * phi.subs(s, crit[0]) / L1 ** (p - 2))
    if (family, form) == ("exp", "assumption"):
        return sp.solve(sp.Eq(sp.exp(a / L1), 2), L1)[0]
    if (family, form) == ("exp", "hessian"):
        return sp.solve(sp.Eq(a**2 - L1 * a, 0), L1)[0]
    if (family, form) == ("logistic", "hessian"):
        expr = a * u * (a * (1 - u) - L1)
        crit = sp.solve(sp.diff(expr, u), u)[0]
        return sp.factor(sp.simplify(expr.subs(u, crit)))
    if (family, form) == ("logistic", "assumption"):
        c0 = sp.maximum(u * (1 - u), u, sp.Interval(0, 1))
        thr = sp.solve(sp.Eq(sp.exp(1 / L1), 2), L1)[0]
        return c0, thr
    raise ValueError(f"family/form: no symbolic derivation for ({family!r}, {form!r})")
