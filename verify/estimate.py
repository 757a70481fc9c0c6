r"""Samplers of (‖∇f(x)‖_*, L̂) pairs for empirical (L0,L1) estimation (ANCHORS §6, estimators E1–E5).

Every sampler returns a frozen :class:`Samples` record: ``grad_dual[i]`` is the regressor ‖∇f(·)‖_* and
``lhat[i]`` a local smoothness estimate, both measured in one geometry of :mod:`ggnc_theory.norms`;
``step[i]`` is the distance ‖x − y‖ of the pair the estimate came from (0 for infinitesimal, Hessian-type
estimates), so a fit can keep only pairs admissible for Assumption 4.2 (‖x − y‖ ≤ 1/L1).

Samplers (computations on the host in NumPy float64, except :func:`directional_samples`, which works in the
namespace, dtype and device of the points and gradients it is given — torch tensors stay on their device):

* :func:`secant_samples` (E1, Gluon): consecutive-iterate secants ‖∇f(x_{k+1}) − ∇f(x_k)‖_*/‖x_{k+1} − x_k‖
  from a :class:`~ggnc_theory.runner.Trajectory` run with ``keep_iterates=True`` or from recorded arrays. The
  regressor is ‖∇f(x_{k+1})‖_* (Gluon's newer point) by default, ``regressor="base"`` takes ‖∇f(x_k)‖_* as in
  Assumption 4.2 (either is valid there: the condition is symmetric in the pair).
* :func:`interpolated_secant_samples` (E2, Zhang et al. 2020): max over α in a grid of
  ‖∇f(x_k + α d_k) − ∇f(x_k)‖_*/‖α d_k‖ with d_k = x_{k+1} − x_k; regressor ‖∇f(x_k)‖_*.
* :func:`directional_samples` (E5): finite differences toward extreme points of the unit ball — ±lmo(∇f(x)),
  random sign vectors, random rank-1 matrices u vᵀ — at step lengths r (fractions of ``radius`` ≤ 1/L1):
  L̂ = ‖∇f(x + r h) − ∇f(x)‖_*/‖r h‖, regressor ‖∇f(x)‖_* (the base point, Assumption 4.2 exactly).
* :func:`power_iteration` / :func:`power_samples` (E4): the non-Euclidean nonlinear power method
  h ← −lmo(∇²f(x) h) with Hessian-vector products. ``value`` = max over iterates and restarts of |⟨h, ∇²f h⟩|
  with ‖h‖ = 1: always a lower bound on sup_{‖h‖≤1} |⟨h, ∇²f(x) h⟩| ≤ ‖∇²f(x)‖_{X→X*}; for a PSD Hessian the
  two are equal and the iteration increases ⟨h, ∇²f h⟩ monotonically (it is a local method, hence restarts).
* :func:`stochastic_secant_samples`: consecutive secants with a stochastic oracle ``stochastic_grad(x, rng)``.
  ``mode="same"`` evaluates both points with the same randomness (same minibatch ξ: the noise cancels to first
  order); ``mode="different"`` draws fresh randomness at each point as in Gluon's protocol, so the numerator
  contains noise of order √2·σ and L̂ is biased **upwards** when steps are small — the record then has
  ``meta["noise_biased"] = True``.
* :func:`probe_problem`: the default-budget probe of a test problem used by the validation tests (base points
  at several scales, per-block imbalanced points, points along rays up to where f stops being finite or
  defined, then :func:`directional_samples` at radius 1/L1 when L1 is given).

**Significance filter.** A difference of two gradients carries rounding error of order
eps·(‖∇f(x)‖_* + ‖∇f(y)‖_*). Finite-difference pairs whose numerator is below
``SIGNIFICANCE``·sqrt(eps)·that sum are dropped (counted in ``meta["n_insignificant"]``; eps of the gradients'
dtype; :func:`directional_samples` uses the upper bound ‖∇f(x)‖_* + numerator for ‖∇f(y)‖_*), so every kept
L̂ is accurate to ≲ 1e-10 relatively and the project tolerance rule applies to comparisons made with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ggnc_theory._backend import like, namespace, tree_all_finite, tree_axpy, tree_inner, tree_map, tree_scale
from ggnc_theory.norms import L2, Norm, Product
from ggnc_theory.tolerances import eps

__all__ = [
    "SIGNIFICANCE",
    "STEP_SHORTCUT",
    "Samples",
    "PowerResult",
    "concat_samples",
    "secant_samples",
    "interpolated_secant_samples",
    "directional_samples",
    "power_iteration",
    "power_samples",
    "stochastic_secant_samples",
    "probe_problem",
]

#: Finite-difference numerators below SIGNIFICANCE·sqrt(eps)·(‖∇f(x)‖_* + ‖∇f(y)‖_*) are rounding noise
#: and are dropped: at 100·sqrt(eps) the relative rounding error of a kept L̂ is ≤ eps/(100·sqrt(eps))
#: ≈ 1.5e-10, far inside the tolerance rule's sqrt(eps) (the threshold problems.certify uses for its ratio).
SIGNIFICANCE = 100.0

#: :func:`directional_samples` takes ‖y − x‖ = r·‖h‖ (no norm evaluation — an SVD in spectral geometries) when
#: the rounding of y = x + r·h provably moves ‖y − x‖ by less than this fraction of the significance level
#: sqrt(eps)/SIGNIFICANCE; otherwise it evaluates ‖y − x‖.
STEP_SHORTCUT = 0.1

Point = Any  # an array or a tuple of arrays (block / product geometry)


# --------------------------------------------------------------------------------------------- record
def _ro(a: Any) -> np.ndarray:
    out = np.array(a, dtype=np.float64, copy=True).reshape(-1)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Samples:
    r"""(‖∇f‖_*, L̂) pairs from one sampler.

    Attributes:
        grad_dual: the regressor ‖∇f(·)‖_* per sample.
        lhat: the smoothness estimate L̂ per sample.
        step: the distance ‖x − y‖ of the pair behind each sample (0 for Hessian-type estimates).
        method: the sampler ("secant", "interpolated_secant", "directional", "power", "stochastic_secant", …).
        norm: ``repr`` of the geometry.
        meta: seed, flags (``noise_biased``, ``regressor``, …) and counts.
    """

    grad_dual: np.ndarray
    lhat: np.ndarray
    step: np.ndarray
    method: str
    norm: str
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        g, lh, s = _ro(self.grad_dual), _ro(self.lhat), _ro(self.step)
        if not (g.shape == lh.shape == s.shape):
            raise ValueError("Samples: grad_dual, lhat and step must have the same length")
        object.__setattr__(self, "grad_dual", g)
        object.__setattr__(self, "lhat", lh)
        object.__setattr__(self, "step", s)
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def __len__(self) -> int:
        return int(self.lhat.size)

    @property
    def noise_biased(self) -> bool:
        """True when the secants include independent noise at the two points (biased upwards)."""
        return bool(self.meta.get("noise_biased", False))

    def subset(self, mask: np.ndarray) -> Samples:
        """The samples where ``mask`` is True (same method, norm and meta)."""
        m = np.asarray(mask, dtype=bool)
        return Samples(self.grad_dual[m], self.lhat[m], self.step[m], self.method, self.norm, self.meta)

    def within(self, radius: float) -> Samples:
        """The samples from pairs with ‖x − y‖ ≤ radius (Assumption 4.2 admits radius 1/L1)."""
        if not math.isfinite(radius):
            return self
        # the step length was itself computed in floating point: admit rounding at sqrt(eps) relative
        return self.subset(self.step <= radius * (1.0 + math.sqrt(eps("float64"))))


def concat_samples(*parts: Samples) -> Samples:
    """Concatenate records measured in the same geometry (method names joined with '+')."""
    if not parts:
        raise ValueError("concat_samples: nothing to concatenate")
    norms = {p.norm for p in parts}
    if len(norms) != 1:
        raise ValueError(f"concat_samples: samples from different geometries {sorted(norms)}")
    methods = []
    for p in parts:
        for m in p.method.split("+"):
            if m not in methods:
                methods.append(m)
    meta = {"parts": [dict(p.meta, method=p.method, n=len(p)) for p in parts]}
    meta["noise_biased"] = any(p.noise_biased for p in parts)
    return Samples(
        np.concatenate([p.grad_dual for p in parts]),
        np.concatenate([p.lhat for p in parts]),
        np.concatenate([p.step for p in parts]),
        "+".join(methods),
        parts[0].norm,
        meta,
    )


# --------------------------------------------------------------------------------------------- tree helpers
def _is_block(x: Any) -> bool:
    return isinstance(x, tuple)


def _host(x: Any) -> Any:
    if _is_block(x):
        return tuple(_host(a) for a in x)
    if hasattr(x, "detach"):  # torch
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _native(x: Any) -> Any:
    """Like :func:`_host`, but torch tensors stay where they are (detached): no device→host copy."""
    if _is_block(x):
        return tuple(_native(a) for a in x)
    if hasattr(x, "detach"):
        return x.detach()
    return np.asarray(x, dtype=np.float64)


def _on_host(x: Any) -> bool:
    """True for NumPy points (then gradients are brought to the host too, whatever ``grad`` returns)."""
    return isinstance(x[0] if _is_block(x) else x, np.ndarray)


def _dtype(x: Any) -> Any:
    return (x[0] if _is_block(x) else x).dtype


def _sub(a: Any, b: Any) -> Any:
    return tree_axpy(-1.0, b, a)


def _items(stack: Any) -> list:
    """Split a stacked batch (array with a leading axis, or tuple of such arrays) into points."""
    stack = _host(stack)
    if _is_block(stack):
        n = stack[0].shape[0]
        return [tuple(a[i] for a in stack) for i in range(n)]
    return [stack[i] for i in range(stack.shape[0])]


def _dual(norm: Norm, g: Any) -> float:
    """‖g‖_* (``inf`` when it overflows; callers drop non-finite samples)."""
    try:
        return float(norm.dual(g))
    except (OverflowError, FloatingPointError):
        return math.inf


def _primal(norm: Norm, x: Any) -> float:
    """‖x‖ (``inf`` when it overflows)."""
    try:
        return float(norm(x))
    except (OverflowError, FloatingPointError):
        return math.inf


def _safe_grad(grad: Callable, x: Any, *, host: bool = True) -> Any | None:
    """∇f(x) (on the host, or where ``grad`` put it if ``host=False``), or None if x is outside the domain /
    the evaluation overflows."""
    try:
        g = _host(grad(x)) if host else _native(grad(x))
    except (ValueError, FloatingPointError, OverflowError, ArithmeticError):
        return None
    return g if tree_all_finite(g) else None


_L2 = L2()


def _tree_l2(x: Any) -> float:
    """Euclidean norm over all entries of all blocks (overflow/underflow-safe per block)."""
    parts = [float(_L2(namespace(a).reshape(a, (-1,)))) for a in (x if _is_block(x) else (x,))]
    return math.hypot(*parts)


def _direction_norm(norm: Norm, h: Any) -> tuple[float, tuple | None]:
    """‖h‖, and for a :class:`~ggnc_theory.norms.Product` also the block norms ‖h_l‖_l (the same evaluations:
    ‖h‖ = max_l ‖h_l‖_l/r_l), so that :func:`_step_length` can work block by block."""
    if isinstance(norm, Product):
        parts = tuple(_primal(b, hl) for b, hl in zip(norm.blocks, h))
        return max(p / r for p, r in zip(parts, norm.radii)), parts
    return _primal(norm, h), None


def _step_length(norm: Norm, x: Any, y: Any, h: Any, r: float, hn: float, parts: tuple | None = None) -> float:
    """‖y − x‖ for y = fl(x + r·h), given hn = ‖h‖ (and the block norms ``parts`` for a Product).

    With c = norm.l2_equivalence (ζ_*: ‖v‖ ≤ c·‖v‖₂): |‖y − x‖ − r·‖h‖| ≤ ‖y − x − r·h‖ ≤ c·‖y − x − r·h‖₂,
    and the residual y − x − r·h is computed here up to a few ulps of r·h (the last term of the bound). When the
    bound is below STEP_SHORTCUT·sqrt(eps)/SIGNIFICANCE·r·‖h‖, r·‖h‖ is used without evaluating the norm (an
    SVD in spectral geometries). A Product is handled per block: ‖y − x‖ = max_l ‖y_l − x_l‖_l/r_l."""
    if parts is not None:
        return max(_step_length(b, xl, yl, hl, r, pl) / rl
                   for b, xl, yl, hl, pl, rl in zip(norm.blocks, x, y, h, parts, norm.radii))
    d = _sub(y, x)
    c = norm.l2_equivalence(x)
    if c is not None and math.isfinite(c) and math.isfinite(hn):
        u = eps(_dtype(d))
        rh = tree_scale(r, h)
        bound = c * (_tree_l2(_sub(d, rh)) + 4.0 * u * _tree_l2(rh))
        if bound <= STEP_SHORTCUT * math.sqrt(u) / SIGNIFICANCE * r * hn:
            return r * hn
    return _primal(norm, d)


def _significant(num: float, gx: float, gy: float, dtype: Any = "float64") -> bool:
    return num >= SIGNIFICANCE * math.sqrt(eps(dtype)) * (gx + gy)


# --------------------------------------------------------------------------------------------- E1 secants
def secant_samples(
    source: Any,
    norm: Norm,
    *,
    gradients: Any = None,
    regressor: str = "newer",
    every: int = 1,
) -> Samples:
    r"""Consecutive-iterate secants (E1, Gluon): L̂_k = ‖g_{k+1} − g_k‖_*/‖x_{k+1} − x_k‖.

    Args:
        source: a :class:`~ggnc_theory.runner.Trajectory` run with ``keep_iterates=True``, or the stacked
            iterates (array with a leading step axis, or a tuple of such arrays for block points).
        norm: the geometry (the primal norm measures steps, its dual the gradients).
        gradients: the stacked gradients when ``source`` is an array of iterates.
        regressor: ``"newer"`` — ‖g_{k+1}‖_* (Gluon); ``"base"`` — ‖g_k‖_* (Assumption 4.2's first argument).
        every: use the pairs (x_k, x_{k+1}) for k = 0, every, 2·every, … (Gluon: every 50 steps).
    """
    if regressor not in ("newer", "base"):
        raise ValueError(f"regressor must be 'newer' or 'base', got {regressor!r}")
    if hasattr(source, "iterates"):
        if source.iterates is None or source.gradients is None:
            raise ValueError("secant_samples: the trajectory has no iterates; run with keep_iterates=True")
        X, G = source.iterates, source.gradients
        origin = dict(getattr(source, "meta", {}) or {})
    else:
        if gradients is None:
            raise ValueError("secant_samples: give gradients= with an array of iterates")
        X, G, origin = source, gradients, {}
    xs, gs = _items(X), _items(G)
    if len(xs) != len(gs):
        raise ValueError("secant_samples: iterates and gradients differ in length")
    out_g, out_l, out_s, skipped = [], [], [], 0
    for k in range(0, len(xs) - 1, max(int(every), 1)):
        d = _primal(norm, _sub(xs[k + 1], xs[k]))
        if not (d > 0 and tree_all_finite(gs[k]) and tree_all_finite(gs[k + 1])):
            skipped += 1
            continue
        num = _dual(norm, _sub(gs[k + 1], gs[k]))
        out_l.append(num / d)
        out_s.append(d)
        out_g.append(_dual(norm, gs[k + 1] if regressor == "newer" else gs[k]))
    meta = {
        "regressor": regressor,
        "every": int(every),
        "n_skipped": skipped,
        "noise_biased": False,
        "source_algorithm": origin.get("algorithm"),
        "seed": origin.get("seed"),
    }
    return Samples(out_g, out_l, out_s, "secant", repr(norm), meta)


# --------------------------------------------------------------------------------------------- E2
def interpolated_secant_samples(
    grad: Callable[[Point], Point],
    iterates: Any,
    norm: Norm,
    *,
    alphas: Sequence[float] = (0.125, 0.25, 0.5, 0.75, 1.0),
    every: int = 1,
) -> Samples:
    r"""Interpolated secants (E2, Zhang et al. 2020): max_α ‖∇f(x_k + α d_k) − ∇f(x_k)‖_*/‖α d_k‖.

    ``iterates`` is a Trajectory (kept iterates) or stacked iterates; ``grad`` evaluates ∇f at one point. The
    regressor is ‖∇f(x_k)‖_* and ``step`` is ‖d_k‖ (the largest distance used).
    """
    a = np.asarray(alphas, dtype=np.float64)
    if a.size == 0 or np.any(a <= 0) or np.any(a > 1):
        raise ValueError("alphas must be a non-empty grid in (0, 1]")
    X = iterates.iterates if hasattr(iterates, "iterates") else iterates
    if X is None:
        raise ValueError("interpolated_secant_samples: the trajectory has no iterates (keep_iterates=True)")
    xs = _items(X)
    out_g, out_l, out_s, drop = [], [], [], 0
    for k in range(0, len(xs) - 1, max(int(every), 1)):
        x, dvec = xs[k], _sub(xs[k + 1], xs[k])
        dn = _primal(norm, dvec)
        gx = _safe_grad(grad, x)
        if gx is None or not dn > 0:
            drop += 1
            continue
        gxn, best = _dual(norm, gx), -math.inf
        for al in a:
            gy = _safe_grad(grad, tree_axpy(float(al), dvec, x))
            if gy is None:
                continue
            num = _dual(norm, _sub(gy, gx))
            if _significant(num, gxn, _dual(norm, gy)):
                best = max(best, num / (al * dn))
        if best == -math.inf:
            drop += 1
            continue
        out_g.append(gxn)
        out_l.append(best)
        out_s.append(dn)
    meta = {"alphas": a.tolist(), "regressor": "base", "n_dropped": drop, "noise_biased": False}
    return Samples(out_g, out_l, out_s, "interpolated_secant", repr(norm), meta)


# --------------------------------------------------------------------------------------------- E5
def _random_direction(x: Any, rng: np.random.Generator) -> Any:
    """A random direction toward an extreme point, not normalised: a sign vector (vectors) or a rank-1
    u vᵀ (matrices), drawn on the host from ``rng`` and placed in the namespace/device/dtype of ``x``."""

    def leaf(a: Any) -> Any:
        shape = tuple(a.shape)
        if len(shape) == 2:
            u = rng.standard_normal(shape[0])
            v = rng.standard_normal(shape[1])
            h = np.outer(u, v)
        else:
            h = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        return h if isinstance(a, np.ndarray) else like(h, a)

    return tree_map(leaf, x)


def directional_samples(
    grad: Callable[[Point], Point],
    points: Sequence[Point] | Any,
    norm: Norm,
    rng: np.random.Generator,
    *,
    radius: float | None = None,
    scale: float = 1.0,
    fractions: Sequence[float] = (1.0, 0.5, 0.1, 1e-3),
    n_random: int = 4,
    lmo_directions: bool = True,
    seed: int | None = None,
) -> Samples:
    r"""Directional finite differences toward extreme points of the unit ball (E5).

    For each base point x and unit direction h (±lmo(∇f(x)) and ``n_random`` random extreme directions), and
    each step length r = ``fractions``·R with R = ``radius`` (use ≤ 1/L1) or ``scale`` when no radius is
    given: L̂ = ‖∇f(y) − ∇f(x)‖_*/‖y − x‖ (y = x + r h as computed) with regressor ‖∇f(x)‖_*. Points where f
    is not defined or overflows are skipped (counted in ``meta["n_failed"]``). Runs in the namespace, dtype
    and device of the points (torch points: ``grad``'s tensors are not copied to the host; NumPy points:
    gradients are brought to the host in float64, whatever ``grad`` returns).

    Args:
        points: a list of points or a stacked batch.
        rng: explicit Generator for the random directions (``seed`` is only recorded in ``meta``).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    R = float(radius) if radius is not None else float(scale)
    if not (R > 0 and math.isfinite(R)):
        raise ValueError(f"radius/scale must be finite and > 0, got {R!r}")
    fr = [float(f) for f in fractions]
    if not fr or any(not (0 < f <= 1) for f in fr):
        raise ValueError("fractions must lie in (0, 1]")
    pts = [_native(p) for p in points] if isinstance(points, list) else _items(points)
    out_g, out_l, out_s = [], [], []
    failed = insignificant = 0
    for x in pts:
        host = _on_host(x)
        gx = _safe_grad(grad, x, host=host)
        if gx is None:
            failed += 1
            continue
        gxn = _dual(norm, gx)
        if not math.isfinite(gxn):
            failed += 1
            continue
        dirs = []  # (h, ‖h‖, block norms): each direction's norm is computed once, not per step length
        if lmo_directions and gxn > 0:
            s = _native(norm.lmo(gx, 1.0))
            sn = _direction_norm(norm, s)
            dirs += [(s, *sn), (tree_scale(-1.0, s), *sn)]  # negation is exact: ‖−s‖ = ‖s‖ bit for bit
        for _ in range(int(n_random)):
            h = _random_direction(x, rng)
            dirs.append((h, *_direction_norm(norm, h)))
        for h, hn, parts in dirs:
            if not (hn > 0 and math.isfinite(hn)):
                continue
            for f in fr:
                r = f * R / hn
                y = tree_axpy(r, h, x)
                gy = _safe_grad(grad, y, host=host)
                if gy is None:
                    failed += 1
                    continue
                num = _dual(norm, _sub(gy, gx))
                dist = _step_length(norm, x, y, h, r, hn, parts)
                if not (math.isfinite(num) and 0 < dist < math.inf):
                    failed += 1
                    continue
                # Significance needs ‖∇f(y)‖_*; the triangle inequality gives ‖∇f(y)‖_* ≤ ‖∇f(x)‖_* + num, which
                # only ever drops more pairs and saves a dual norm (an SVD in spectral geometries) per sample.
                if not _significant(num, gxn, gxn + num, _dtype(gx)):
                    insignificant += 1
                    continue
                out_g.append(gxn)
                out_l.append(num / dist)
                out_s.append(dist)
    meta = {
        "radius": radius,
        "scale": scale,
        "fractions": fr,
        "n_random": int(n_random),
        "lmo_directions": bool(lmo_directions),
        "regressor": "base",
        "n_points": len(pts),
        "n_failed": failed,
        "n_insignificant": insignificant,
        "seed": seed,
        "noise_biased": False,
    }
    return Samples(out_g, out_l, out_s, "directional", repr(norm), meta)


# --------------------------------------------------------------------------------------------- E4
@dataclass(frozen=True)
class PowerResult:
    """Outcome of :func:`power_iteration`: the best |⟨h, ∇²f h⟩|
    (‖h‖ = 1), its h, and per-restart histories."""

    value: float
    h: Any
    history: tuple


def power_iteration(
    hvp: Callable[[Point, Point], Point],
    x: Point,
    norm: Norm,
    rng: np.random.Generator,
    *,
    iters: int = 30,
    restarts: int = 3,
    init: Point | None = None,
) -> PowerResult:
    r"""Non-Euclidean nonlinear power iteration h ← −lmo(∇²f(x) h) (E4).

    Starts from ``init`` (if given) and from random extreme directions; each iterate has ‖h‖ = 1 (lmo at
    radius 1). ``value`` is the largest |⟨h, ∇²f(x) h⟩| seen: a lower bound on sup_{‖h‖≤1}|⟨h, ∇²f h⟩|
    (which equals ‖∇²f(x)‖_{X→X*} for PSD Hessians, where the iteration is monotone). In ℓ2 it is the
    Euclidean power method (up to sign) and converges to λ_max for PSD matrices.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    x = _host(x)
    starts = [] if init is None else [_host(init)]
    starts += [_random_direction(x, rng) for _ in range(max(int(restarts), 1))]
    best, best_h, hist = -math.inf, None, []
    for h in starts:
        n = _primal(norm, h)
        h = tree_scale(1.0 / n, h) if n > 0 else h
        trace = []
        for _ in range(max(int(iters), 1)):
            Hh = _host(hvp(x, h))
            q = float(tree_inner(h, Hh))
            trace.append(q)
            if abs(q) > best:
                best, best_h = abs(q), h
            if _dual(norm, Hh) == 0:
                break
            h = tree_scale(-1.0, _host(norm.lmo(Hh, 1.0)))
        hist.append(tuple(trace))
    return PowerResult(float(best), best_h, tuple(hist))


def power_samples(
    grad: Callable[[Point], Point],
    hvp: Callable[[Point, Point], Point],
    points: Sequence[Point] | Any,
    norm: Norm,
    rng: np.random.Generator,
    *,
    iters: int = 30,
    restarts: int = 3,
    seed: int | None = None,
) -> Samples:
    """(‖∇f(x)‖_*, power-iteration value) at each point (Hessian-form samples; ``step`` = 0)."""
    pts = [_host(p) for p in points] if isinstance(points, list) else _items(points)
    out_g, out_l, failed = [], [], 0
    for x in pts:
        gx = _safe_grad(grad, x)
        if gx is None:
            failed += 1
            continue
        try:
            res = power_iteration(hvp, x, norm, rng, iters=iters, restarts=restarts, init=norm.lmo(gx, 1.0))
        except (ValueError, FloatingPointError, OverflowError, ArithmeticError):
            failed += 1
            continue
        out_g.append(_dual(norm, gx))
        out_l.append(res.value)
    meta = {"iters": iters, "restarts": restarts, "n_failed": failed, "seed": seed, "noise_biased": False}
    return Samples(out_g, out_l, np.zeros(len(out_l)), "power", repr(norm), meta)


# --------------------------------------------------------------------------------------------- stochastic
def stochastic_secant_samples(
    stochastic_grad: Callable[[Point, np.random.Generator], Point],
    iterates: Any,
    norm: Norm,
    rng: np.random.Generator,
    *,
    mode: str = "same",
    regressor: str = "newer",
    every: int = 1,
    seed: int | None = None,
) -> Samples:
    r"""Consecutive secants with a stochastic oracle ``stochastic_grad(x, rng)``.

    ``mode="same"``: both points are evaluated with Generators in the same state (same minibatch ξ; additive
    noise cancels exactly). ``mode="different"``: independent draws at the two points (Gluon's protocol); the
    numerator then contains noise of order √2·σ, so L̂ is biased upwards when steps are small, and the record
    says so (``meta["noise_biased"] = True``).
    """
    if mode not in ("same", "different"):
        raise ValueError(f"mode must be 'same' or 'different', got {mode!r}")
    if regressor not in ("newer", "base"):
        raise ValueError(f"regressor must be 'newer' or 'base', got {regressor!r}")
    X = iterates.iterates if hasattr(iterates, "iterates") else iterates
    if X is None:
        raise ValueError("stochastic_secant_samples: no iterates (keep_iterates=True)")
    xs = _items(X)
    out_g, out_l, out_s, failed = [], [], [], 0
    for k in range(0, len(xs) - 1, max(int(every), 1)):
        d = _primal(norm, _sub(xs[k + 1], xs[k]))
        s0 = int(rng.integers(0, 2**63 - 1))
        s1 = s0 if mode == "same" else int(rng.integers(0, 2**63 - 1))
        try:
            g0 = _host(stochastic_grad(xs[k], np.random.default_rng(s0)))
            g1 = _host(stochastic_grad(xs[k + 1], np.random.default_rng(s1)))
        except (ValueError, FloatingPointError, OverflowError, ArithmeticError):
            failed += 1
            continue
        if not (d > 0 and tree_all_finite(g0) and tree_all_finite(g1)):
            failed += 1
            continue
        out_l.append(_dual(norm, _sub(g1, g0)) / d)
        out_s.append(d)
        out_g.append(_dual(norm, g1 if regressor == "newer" else g0))
    meta = {
        "mode": mode,
        "regressor": regressor,
        "every": int(every),
        "n_failed": failed,
        "seed": seed,
        "noise_biased": mode == "different",
    }
    return Samples(out_g, out_l, out_s, "stochastic_secant", repr(norm), meta)


# --------------------------------------------------------------------------------------------- problem probe
def _leaf_shapes(problem: Any) -> list:
    return list(problem.shape) if problem.is_block else [tuple(problem.shape)]


def _unit(problem: Any, rng: np.random.Generator) -> Any:
    """A random unit direction (Gaussian or sign pattern, by coin flip) in the problem norm."""
    gauss = rng.random() < 0.5
    leaves = [
        rng.standard_normal(s) if gauss else np.where(rng.random(s) < 0.5, -1.0, 1.0)
        for s in _leaf_shapes(problem)
    ]
    h = tuple(leaves) if problem.is_block else leaves[0]
    return tree_scale(1.0 / _primal(problem.norm, h), h)


def _center(problem: Any) -> Any:
    return _host(problem.center)


#: Probing rays double the distance from the center at most this many times (2^30 ≈ 1e9 × scale) looking for
#: where f stops being finite or defined; beyond that the ray is treated as unbounded.
MAX_DOUBLINGS = 30


def _ray_points(problem: Any, rng: np.random.Generator, n_rays: int, depth: int) -> list:
    """Points along random rays from the center up to the boundary of where ∇f is finite and defined.

    Along each ray the largest valid distance t_max is bracketed by doubling and refined by bisection; the
    returned points sit at t_max·(1 − 10^{-j}), j = 1..depth (approaching the boundary geometrically), or at
    scale·4^j when no boundary is met within MAX_DOUBLINGS doublings.
    """
    c, out = _center(problem), []
    for _ in range(n_rays):
        u = _unit(problem, rng)
        lo, hi = 0.0, None
        t = problem.scale
        for _ in range(MAX_DOUBLINGS):
            if _safe_grad(problem.grad, tree_axpy(t, u, c)) is None:
                hi = t
                break
            lo, t = t, 2.0 * t
        if hi is None:
            out += [tree_axpy(problem.scale * 4.0**j, u, c) for j in range(depth)]
            continue
        for _ in range(60):  # bisection to float resolution
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            if _safe_grad(problem.grad, tree_axpy(mid, u, c)) is None:
                hi = mid
            else:
                lo = mid
        out += [tree_axpy(lo * (1.0 - 10.0 ** (-j)), u, c) for j in range(1, depth + 1)]
    return out


def probe_problem(
    problem: Any,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = 0,
    n_points: int = 60,
    n_rays: int = 6,
    ray_depth: int = 8,
    radius: float | str | None = "certified",
    n_random: int = 3,
    fractions: Sequence[float] = (1.0, 0.5, 0.1, 1e-3),
) -> Samples:
    r"""The default-budget directional probe of a test problem (E5 on generated base points).

    Base points: ``n_points`` at center + s·u with s = scale·10^U(−2, 1) and u a random unit direction; for
    block problems, as many again with each block i at 10^{a_i}·(c_i + scale·u_i), a_i ~ U(−6, 6)
    independently (imbalanced points, where products of blocks change curvature fastest); and
    :func:`_ray_points` toward where ∇f stops being finite. Then :func:`directional_samples` with radius 1/L1
    (``radius="certified"`` and L1 > 0), the given radius, or step lengths relative to ``problem.scale``
    (L1 = 0 or unknown; a step of 1e-6·scale is then added for Hessian-like samples).
    """
    if rng is None:
        rng = np.random.default_rng(seed)
    else:
        seed = None  # the caller's Generator: its state, not a seed, determines the samples
    c = _center(problem)
    pts = []
    for _ in range(n_points):
        s = problem.scale * 10.0 ** rng.uniform(-2.0, 1.0)
        pts.append(tree_axpy(s, _unit(problem, rng), c))
    if problem.is_block:
        for _ in range(n_points):
            u = _unit(problem, rng)
            pts.append(
                tuple(10.0 ** rng.uniform(-6.0, 6.0) * (ci + problem.scale * ui) for ci, ui in zip(c, u))
            )
    pts += _ray_points(problem, rng, n_rays, ray_depth)
    R: float | None
    if radius == "certified":
        L1 = getattr(problem, "L1", None)
        R = 1.0 / L1 if (L1 is not None and L1 > 0) else None
    else:
        R = None if radius is None else float(radius)
    fr = tuple(fractions) if R is not None else tuple(fractions) + (1e-6,)
    smp = directional_samples(
        problem.grad,
        pts,
        problem.norm,
        rng,
        radius=R,
        scale=problem.scale,
        fractions=fr,
        n_random=n_random,
        seed=seed,
    )
    meta = dict(smp.meta, problem=problem.name, n_rays=n_rays, ray_depth=ray_depth)
    return Samples(smp.grad_dual, smp.lhat, smp.step, "directional", smp.norm, meta)
