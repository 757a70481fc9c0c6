r"""Algorithms of the paper as pure ``(init, step)`` pairs.

Every factory returns an :class:`Algorithm` whose ``step(x, g, state) -> (x_next, state, info)`` is a pure
function: it never modifies ``x``, ``g`` or ``state``. ``g`` is the (possibly stochastic) gradient oracle value
∇f(x^k, ξ^k) at ``x``; the momentum estimator is the paper's convex combination (SPEC §2.2)

    d^k = α·g^k + (1 − α)·d^{k−1},    d^0 = 0,

so with α = 1 (the default) d^k = g^k, the deterministic setting. ``lmo`` is the argmin (paper sign), hence the
updates read ``x + γ·η·lmo(d)``.

``info`` is a :class:`StepInfo` of 0-D arrays on the input's device (no host synchronisation):

* ``dual_norm`` — ‖d^k‖_* in the algorithm's geometry;
* ``eta`` — η_k, the coefficient of the step (``x⁺ = x + γ η lmo(d)`` for SD/uCG/GGNC; ``x⁺ = x − γ η v`` for S3CG;
  ``x⁺ = x − η v`` for Frank–Wolfe);
* ``clipped`` — whether the step was capped: ‖d‖_* > ρ for uCG/GGNC (the uCG regime of GGNC), the
  threshold ρ active for S3CG, the step 1 active for the Frank–Wolfe short step, always False for SD;
* ``step_norm`` — ‖x^{k+1} − x^k‖ *by construction*: |c|·‖u‖ for the step x^{k+1} = x^k + c·u, using
  ‖lmo(d)‖ = 1 for d ≠ 0 (an identity tested for every geometry) and the computed ‖v^k‖ for S3CG/Frank–Wolfe.
  It costs nothing per step; :func:`verify.check_step_length` instead *measures* ‖x^{k+1} − x^k‖ from the
  iterates of a run with ``keep_iterates=True``, so the step-length invariant is checked, not built in;
* ``fw_gap`` — ⟨d^k, x^k − β·lmo(d^k)⟩ for the constrained methods (the Wolfe gap when d^k = ∇f(x^k)), else None.

Invalid hyperparameters raise ``ValueError`` naming the parameter.

The ClippedScion code parameterises the step differently: its ``lr`` is γρ and its threshold is ρ (SPEC §4.1);
see :mod:`ggnc_theory.compat`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from ._backend import (
    Array,
    Point,
    const,
    finite_positive,
    is_block,
    namespace,
    to_float,
    tree_axpy,
    tree_inner,
    tree_map,
)
from .norms import L2, Norm

__all__ = [
    "StepInfo",
    "State",
    "Algorithm",
    "steepest_descent",
    "ucg",
    "ggnc",
    "s3cg",
    "frank_wolfe",
    "clipped_gd",
    "normalized_gd",
    "ALGORITHMS",
    "available",
    "get",
]


class StepInfo(NamedTuple):
    """What one step reports (0-D arrays on the input's device; ``fw_gap`` is None where undefined)."""

    dual_norm: Array
    eta: Array
    clipped: Array
    step_norm: Array
    fw_gap: Array | None = None


class State(NamedTuple):
    """Algorithm state: the momentum d^{k−1} (zeros before the first step) and the number k of steps done."""

    d: Point
    k: int


@dataclass(frozen=True)
class Algorithm:
    """A named pure ``(init, step)`` pair with its hyperparameters.

    Attributes:
        name: factory name (``"ggnc"``, ``"ucg"``, ...).
        params: hyperparameters with the paper's symbols as keys (read-only mapping).
        norm: the geometry ‖·‖ of the method.
        init: ``init(x1) -> State``.
        step: ``step(x, g, state) -> (x_next, state_next, StepInfo)``.
    """

    name: str
    params: Mapping[str, Any]
    norm: Norm
    init: Callable[[Point], State]
    step: Callable[[Point, Point, State], tuple[Point, State, StepInfo]]

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({self.norm!r}, {ps})"


# --------------------------------------------------------------------------------------------- helpers
def _alpha(alpha: Any) -> float:
    a = finite_positive(alpha, "alpha")
    if a > 1.0:
        raise ValueError(f"alpha must lie in (0, 1], got {alpha!r}")
    return a


def _check_norm(norm: Any) -> Norm:
    if not isinstance(norm, Norm):
        raise ValueError(f"norm must be a ggnc_theory.norms.Norm, got {type(norm).__name__}")
    return norm


def _zeros_like(x: Point) -> Point:
    return tree_map(lambda a: namespace(a).zeros_like(a), x)


def _init(x: Point) -> State:
    return State(d=_zeros_like(x), k=0)


def _momentum(g: Point, state: State, alpha: float) -> Point:
    if alpha == 1.0:
        return g
    # d^k = α g^k + (1 − α) d^{k−1}
    return tree_map(lambda gi, di: alpha * gi + (1.0 - alpha) * di, g, state.d)


def _false(ref: Point) -> Array:
    leaf = ref[0] if is_block(ref) else ref
    return namespace(leaf).asarray(False, device=_device(leaf))


def _device(a: Array) -> Any:
    from ._backend import device_of

    return device_of(a)


def _positive(dn: Array) -> Array:
    """1 where ‖d‖_* > 0, else 0 (as a float of dn's dtype): ‖lmo(d)‖ = 1 except at d = 0, where lmo(0) = 0."""
    return namespace(dn).astype(dn > 0, dn.dtype)


def _make(name: str, params: dict, norm: Norm, init, step) -> Algorithm:
    return Algorithm(name=name, params=MappingProxyType(dict(params)), norm=norm, init=init, step=step)


# --------------------------------------------------------------------------------------------- unconstrained
def steepest_descent(norm: Norm, gamma: float, alpha: float = 1.0) -> Algorithm:
    r"""Steepest descent in ‖·‖: x^{k+1} = x^k − γ·[d^k]^♯ = x^k + γ‖d^k‖_*·lmo(d^k) (SPEC §2.1).

    **Theoretical guarantee** (L-smooth, γ = 1/L): min_k ‖∇f(x^k)‖_* ≤ √(2LΔ/n) (poster; SPEC §3.5).

    Args:
        norm: the geometry ‖·‖.
        gamma: stepsize γ > 0.
        alpha: momentum α ∈ (0, 1] (1 = no momentum).
    """
    norm = _check_norm(norm)
    gamma = finite_positive(gamma, "gamma")
    alpha = _alpha(alpha)

    def step(x: Point, g: Point, state: State):
        d = _momentum(g, state, alpha)
        dn, s = norm.dual_lmo(d)
        x_next = tree_axpy(gamma * dn, s, x)
        info = StepInfo(dual_norm=dn, eta=dn, clipped=_false(x), step_norm=gamma * dn)
        return x_next, State(d=d, k=state.k + 1), info

    return _make("steepest_descent", {"gamma": gamma, "alpha": alpha}, norm, _init, step)


def ucg(norm: Norm, gamma: float, rho: float, alpha: float = 1.0) -> Algorithm:
    r"""Unconstrained conditional gradient (uSCG of the Scion paper): x^{k+1} = x^k + γρ·lmo(d^k).

    The "normalized steepest descent" of Table 1; η_k = ρ always. **Theoretical guarantees:** Prop. 4.1
    (L-smooth) and Thm 4.5 (non-Euclidean (L0,L1)-smooth, γρ < 1/(2L1)).

    Args:
        norm: the geometry ‖·‖.
        gamma: stepsize γ > 0.
        rho: radius ρ > 0 (the step length is γρ).
        alpha: momentum α ∈ (0, 1].
    """
    norm = _check_norm(norm)
    gamma = finite_positive(gamma, "gamma")
    rho = finite_positive(rho, "rho")
    alpha = _alpha(alpha)

    def step(x: Point, g: Point, state: State):
        d = _momentum(g, state, alpha)
        dn, s = norm.dual_lmo(d)
        x_next = tree_axpy(gamma * rho, s, x)
        info = StepInfo(
            dual_norm=dn,
            eta=const(rho, dn),
            clipped=dn > rho,
            step_norm=(gamma * rho) * _positive(dn),
        )
        return x_next, State(d=d, k=state.k + 1), info

    return _make("ucg", {"gamma": gamma, "rho": rho, "alpha": alpha}, norm, _init, step)


def ggnc(norm: Norm, gamma: float, rho: float, alpha: float = 1.0) -> Algorithm:
    r"""Generalized gradient norm clipping, Algorithm 1 (Algorithm 3 when ``norm`` is a Product).

    **Algorithm:** d^k = α g^k + (1 − α) d^{k−1};  η_k = min{ρ, ‖d^k‖_*};  x^{k+1} = x^k + γ η_k lmo(d^k),
    equivalently x^{k+1} = x^k − γ·min{1, ρ/‖d^k‖_*}·[d^k]^♯. With ‖d‖_* ≤ ρ it is the SD step, otherwise the
    uCG step of length γρ.

    **Theoretical guarantee:** Thm 4.3 (deterministic, γ ≤ 1/(L0 + ρL1)): min_k ‖∇f(x^k)‖_* ≤
    √(Δ/(γn)) + 2Δ/(γρn); Thm 4.9 (stochastic).

    Args:
        norm: the geometry ‖·‖.
        gamma: stepsize γ > 0.
        rho: clipping threshold ρ > 0.
        alpha: momentum α ∈ (0, 1].
    """
    norm = _check_norm(norm)
    gamma = finite_positive(gamma, "gamma")
    rho = finite_positive(rho, "rho")
    alpha = _alpha(alpha)

    def step(x: Point, g: Point, state: State):
        d = _momentum(g, state, alpha)
        dn, s = norm.dual_lmo(d)
        xp = namespace(dn)
        eta = xp.minimum(dn, const(rho, dn))
        x_next = tree_axpy(gamma * eta, s, x)
        info = StepInfo(dual_norm=dn, eta=eta, clipped=dn > rho, step_norm=gamma * eta)
        return x_next, State(d=d, k=state.k + 1), info

    return _make("ggnc", {"gamma": gamma, "rho": rho, "alpha": alpha}, norm, _init, step)


# --------------------------------------------------------------------------------------------- constrained
def _feasible_init(norm: Norm, beta: float, name: str):
    def init(x: Point) -> State:
        nx = to_float(norm(x))
        # The iterates are convex combinations of points of βD only if x^1 ∈ βD (SPEC §2.5).
        if not nx <= beta * (1.0 + 1e-12):
            raise ValueError(f"x1: {name} needs a feasible start ‖x1‖ ≤ beta = {beta!r}, got ‖x1‖ = {nx!r}")
        return _init(x)

    return init


def s3cg(norm: Norm, gamma: float, rho: float, beta: float, variant: int = 1, alpha: float = 1.0) -> Algorithm:
    r"""Stochastic short-step conditional gradient, Algorithm 2 (Algorithm 4 with a Product norm).

    **Algorithm:** d^k = α g^k + (1 − α) d^{k−1};  v^k = x^k − β·lmo(d^k);
    η_k = min{ρ, ⟨d^k, v^k⟩/‖v^k‖²} (Variant 1) or min{ρ, ⟨d^k, v^k⟩/(4β²)} (Variant 2);
    x^{k+1} = x^k − γ η_k v^k = (1 − γη_k) x^k + γη_k·β·lmo(d^k) — weight decay with an adaptive coefficient.
    The iterates stay in βD when x^1 ∈ βD and γρ ≤ 1.

    **Theoretical guarantee:** Thm 4.7 (deterministic, γ ≤ 1/L, ρ ≤ L), Thm 4.11 (Variant 1) and Thm B.5
    (Variant 2), stochastic.

    With a Product norm, ‖v‖ is the product norm max_l ‖v_l‖_l/r_l; the paper's Algorithm 4 prints
    max_l ‖v_l‖²_{W_l} without the 1/r_l² (SPEC §8 item 9, unconfirmed).

    Args:
        norm: the geometry ‖·‖ of the constraint ball βD.
        gamma: stepsize γ > 0.
        rho: threshold ρ > 0.
        beta: radius β > 0 of the constraint ball.
        variant: 1 or 2.
        alpha: momentum α ∈ (0, 1].
    """
    norm = _check_norm(norm)
    gamma = finite_positive(gamma, "gamma")
    rho = finite_positive(rho, "rho")
    beta = finite_positive(beta, "beta")
    if isinstance(variant, bool) or variant not in (1, 2):
        raise ValueError(f"variant must be 1 or 2, got {variant!r}")
    alpha = _alpha(alpha)

    def step(x: Point, g: Point, state: State):
        d = _momentum(g, state, alpha)
        dn, s = norm.dual_lmo(d, beta)  # s = β·lmo(d)
        xp = namespace(dn)
        v = tree_axpy(-1.0, s, x)
        gap = tree_inner(d, v)
        vn = norm._primal(v)
        if variant == 1:
            vn2 = vn * vn
            ratio = gap / xp.where(vn2 > 0, vn2, xp.ones_like(vn2))
        else:
            ratio = gap / (4.0 * beta * beta)
        # ⟨d, v⟩ ≥ 0 in exact arithmetic for x ∈ βD; at a boundary minimiser v ≈ 0 and rounding can make the
        # 0/0 ratio hugely negative, which would throw the iterate out of βD. Clamp at 0.
        ratio = xp.maximum(ratio, const(0.0, ratio))
        eta = xp.minimum(ratio, const(rho, ratio))
        x_next = tree_axpy(-gamma * eta, v, x)
        info = StepInfo(
            dual_norm=dn, eta=eta, clipped=ratio > rho, step_norm=gamma * eta * vn, fw_gap=gap
        )
        return x_next, State(d=d, k=state.k + 1), info

    init = _feasible_init(norm, beta, "s3cg")
    params = {"gamma": gamma, "rho": rho, "beta": beta, "variant": variant, "alpha": alpha}
    return _make("s3cg", params, norm, init, step)


_FW_STEPS = ("open_loop", "short")


def frank_wolfe(norm: Norm, beta: float, step: str = "open_loop", L: float | None = None) -> Algorithm:
    r"""Classical conditional gradient (Frank–Wolfe) over βD (SPEC §2.1).

    **Algorithm:** v^k = x^k − β·lmo(∇f(x^k)); x^{k+1} = x^k − γ_k v^k with
    γ_k = 2/(k + 2) (``"open_loop"``, k = 1, 2, …) or γ_k = min{1, ⟨∇f(x^k), v^k⟩/(L‖v^k‖²)} (``"short"``).
    S3CG Variant 1 with γ = 1/L and ρ = L is exactly the short step (tested).

    Args:
        norm: the geometry of the constraint ball.
        beta: radius β > 0.
        step: ``"open_loop"`` or ``"short"``.
        L: smoothness constant L > 0 (required by the short step).
    """
    norm = _check_norm(norm)
    beta = finite_positive(beta, "beta")
    if step not in _FW_STEPS:
        raise ValueError(f"step must be one of {_FW_STEPS}, got {step!r}")
    if step == "short":
        if L is None:
            raise ValueError("L: the short step needs the smoothness constant L")
        L = finite_positive(L, "L")
    elif L is not None:
        L = finite_positive(L, "L")

    def fw_step(x: Point, g: Point, state: State):
        k = state.k + 1
        dn, s = norm.dual_lmo(g, beta)
        xp = namespace(dn)
        v = tree_axpy(-1.0, s, x)
        gap = tree_inner(g, v)
        vn = norm._primal(v)
        if step == "open_loop":
            gk = const(2.0 / (k + 2.0), dn)
            clipped = _false(x)
        else:
            denom = L * vn * vn
            ratio = gap / xp.where(denom > 0, denom, xp.ones_like(denom))
            ratio = xp.maximum(ratio, const(0.0, ratio))  # see s3cg: rounding at a boundary minimiser
            gk = xp.minimum(ratio, const(1.0, ratio))
            clipped = ratio > 1.0
        x_next = tree_axpy(-gk, v, x)
        info = StepInfo(dual_norm=dn, eta=gk, clipped=clipped, step_norm=gk * vn, fw_gap=gap)
        return x_next, State(d=g, k=k), info

    params: dict[str, Any] = {"beta": beta, "step": step}
    if L is not None:
        params["L"] = L
    return _make("frank_wolfe", params, norm, _feasible_init(norm, beta, "frank_wolfe"), fw_step)


# --------------------------------------------------------------------------------------------- ℓ2 names
def clipped_gd(gamma: float, rho: float, alpha: float = 1.0) -> Algorithm:
    r"""Clipped GD: x^{k+1} = x^k − γ·min{1, ρ/‖d^k‖₂}·d^k — GGNC in ℓ2 (Table 1, first row)."""
    alg = ggnc(L2(), gamma, rho, alpha)
    return _make("clipped_gd", dict(alg.params), alg.norm, alg.init, alg.step)


def normalized_gd(gamma: float, rho: float, alpha: float = 1.0) -> Algorithm:
    r"""Normalized GD: x^{k+1} = x^k − γρ·d^k/‖d^k‖₂ — uCG in ℓ2 (SPEC §2.1)."""
    alg = ucg(L2(), gamma, rho, alpha)
    return _make("normalized_gd", dict(alg.params), alg.norm, alg.init, alg.step)


ALGORITHMS: dict[str, Callable[..., Algorithm]] = {
    "steepest_descent": steepest_descent,
    "ucg": ucg,
    "ggnc": ggnc,
    "s3cg": s3cg,
    "frank_wolfe": frank_wolfe,
    "clipped_gd": clipped_gd,
    "normalized_gd": normalized_gd,
}


def available() -> list[str]:
    """Registered algorithm factory names."""
    return sorted(ALGORITHMS)


def get(name: str, **kwargs: Any) -> Algorithm:
    """Build an algorithm by factory name, e.g. ``get("ggnc", norm=Linf(), gamma=0.1, rho=1.0)``."""
    try:
        factory = ALGORITHMS[name]
    except (KeyError, TypeError):
        raise ValueError(f"name: unknown algorithm {name!r}; available: {', '.join(available())}") from None
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise ValueError(f"algorithm {name!r}: {exc}") from None
