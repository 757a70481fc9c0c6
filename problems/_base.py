r"""The :class:`Problem` record shared by every family, plus the helpers the families are written with.

A problem is a frozen dataclass. Its mathematics lives in a small *kernel* object (one per family) whose
functions are written once against the Python array API and act on a point ``x`` **with leading batch
dimensions allowed** (``x.shape == batch + problem.shape``). The public methods :meth:`Problem.f`,
:meth:`Problem.grad`, :meth:`Problem.hvp` and :meth:`Problem.stochastic_grad` validate a single point; the
``*_batch`` variants validate a stack of points and are what the certification uses.

Data (matrices A, b, M, …) are drawn once in NumPy float64 from an explicit ``numpy.random.Generator`` and
kept on the host. At call time they are moved to the namespace, dtype and device of ``x``
(:func:`ggnc_theory._backend.like`) and cached per (back end, device, dtype) in a private dict; the
dataclass itself stays frozen.

Numerics never return a silent ``inf``/``NaN``: an exponential whose argument exceeds ``log(finfo.max)``
raises ``OverflowError`` *before* it is evaluated, and any other non-finite result raises ``OverflowError``
naming the function. ``ggnc_theory.run`` reports both as a divergence. A point outside the domain of a
function (−log x at x ≤ 0) raises :class:`DomainError`, which is both a ``ValueError`` and a
``FloatingPointError`` (so the runner also treats it as a divergence).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ggnc_theory._backend import (
    Array,
    Point,
    backend_name,
    device_of,
    is_block,
    like,
    namespace,
    tree_all_finite,
)
from ggnc_theory.norms import Norm

__all__ = [
    "Problem",
    "Kernel",
    "DomainError",
    "HYPOTHESES",
    "FORMS",
    "positive_int",
    "positive_float",
    "exponent",
    "make_rng",
    "guard_exp",
    "readonly",
]

#: Vocabulary of :attr:`Problem.hypotheses`.
HYPOTHESES: Mapping[str, str] = MappingProxyType(
    {
        "convex": "f is convex on its domain",
        "nonconvex": "f is not convex",
        "l0l1_smooth": "Assumption 4.2 holds globally with the stated (L0, L1) in the stated norm (certified)",
        "l_smooth": "Definition A.1 holds globally with the stated L (then (L0, L1) = (L, 0) also holds)",
        "bounded_below": "inf f > −∞",
        "min_attained": "inf f is a minimum (attained at some x)",
        "negative_control": "deliberately NOT (L0,L1)-smooth for any constants; estimators must reject it",
        "stochastic_minibatch": "stochastic_grad samples data (minibatch), not additive noise",
    }
)

#: The two forms of (L0,L1)-smoothness a trade-off curve can refer to.
FORMS: Mapping[str, str] = MappingProxyType(
    {
        "assumption": "Assumption 4.2 (first-order): ‖∇f(x)−∇f(y)‖_* ≤ (L0 + L1‖∇f(x)‖_*)‖x−y‖ for ‖x−y‖ ≤ 1/L1",
        "hessian": "Hessian form: sup_{‖h‖≤1} |⟨h, ∇²f(x)h⟩| ≤ L0 + L1‖∇f(x)‖_*",
    }
)


class DomainError(ValueError, FloatingPointError):
    """A point lies outside the domain of f (e.g. −log x at x ≤ 0).

    It is a ``ValueError`` for callers and a ``FloatingPointError`` for :func:`ggnc_theory.run`, which then
    reports a divergence instead of crashing.
    """


# --------------------------------------------------------------------------------------------- validation
def positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Validate a size parameter: an integer ≥ ``minimum``; ``ValueError`` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def positive_float(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """Validate a real parameter: finite and > 0 (or ≥ 0)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'≥' if allow_zero else '>'} 0, got {value!r}")
    return v


def exponent(p: Any) -> float:
    """Validate the exponent of a power family: finite p > 2 (the families below are not L-smooth only then)."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"p must be a real number > 2, got {p!r}") from None
    if not (math.isfinite(v) and v > 2):
        raise ValueError(f"p must be finite and > 2, got {p!r}")
    return v


def make_rng(seed: Any = None, rng: Any = None) -> np.random.Generator:
    """The explicit Generator of a randomised family: ``rng`` if given, else ``default_rng(seed)``.

    ``seed=None`` and ``rng=None`` together mean seed 0 (deterministic; there is no global seeding).
    """
    if rng is not None and seed is not None:
        raise ValueError("rng: give either seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is None:
        seed = 0
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng(int(seed))


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only float64 copy (host data of a frozen problem must not change)."""
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


# --------------------------------------------------------------------------------------------- numerics
def guard_exp(z: Array, what: str) -> None:
    """Raise ``OverflowError`` if exp(z) would overflow in z's dtype (checked before evaluating it)."""
    xp = namespace(z)
    lim = math.log(float(xp.finfo(z.dtype).max))
    if bool(xp.any(z > lim)):
        zmax = float(xp.max(z))
        raise OverflowError(f"{what}: exp overflows (argument {zmax:.6g} > log(max float) = {lim:.6g})")


def _checked(value: Point, what: str) -> Point:
    if not tree_all_finite(value):
        raise OverflowError(f"{what}: the result is not finite (overflow); x is too large for this dtype")
    return value


# --------------------------------------------------------------------------------------------- kernel
class Kernel:
    r"""Family mathematics on one back end. Subclasses implement ``f`` and ``grad`` (and ``hvp`` if cheap).

    Every method receives ``x`` with optional leading batch dimensions and ``D``, the family's data already on
    the back end of ``x``. ``f`` returns an array of shape ``batch``; ``grad``/``hvp`` return arrays shaped
    like ``x``. Block problems receive and return tuples.
    """

    has_hvp: bool = False
    domain: str = "the whole space"

    def f(self, x: Point, D: Mapping[str, Array]) -> Array:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, x: Point, D: Mapping[str, Array]) -> Point:  # pragma: no cover - abstract
        raise NotImplementedError

    def hvp(self, x: Point, v: Point, D: Mapping[str, Array]) -> Point:
        raise NotImplementedError(f"{type(self).__name__}: no Hessian-vector product")

    def in_domain(self, x: Point) -> Array | None:
        """Boolean array over the batch dimensions (True = inside the domain), or None if the domain is the
        whole space (the default)."""
        return None

    def domain_check(self, x: Point) -> None:
        """Raise :class:`DomainError` if some point of x is outside the domain."""
        inside = self.in_domain(x)
        if inside is not None and not bool(namespace(inside).all(inside)):
            raise DomainError(f"x: outside the domain of f ({self.domain})")

    def minibatch_grad(self, x: Point, rng: np.random.Generator, D: Mapping[str, Array]) -> Point | None:
        """A data-sampling stochastic gradient, or None to use additive Gaussian noise."""
        return None


def _shape_str(shape: Any) -> str:
    return str(tuple(shape)) if not (shape and isinstance(shape[0], tuple)) else str(tuple(map(tuple, shape)))


# --------------------------------------------------------------------------------------------- Problem
@dataclass(frozen=True, eq=False)
class Problem:
    r"""A test problem with certified constants (extends :class:`ggnc_theory.runner.ProblemLike`).

    Attributes:
        name: registry name with the parameters that define the instance, e.g. ``"abs_power[p=4,L1=1]"``.
        family: the registry name of the family.
        shape: shape of x; for block problems a tuple of shapes (x is then a tuple of arrays).
        norm: the geometry the constants refer to (primal ‖·‖; its dual ‖·‖_* measures gradients).
        x0: the default starting point x¹ (host NumPy float64; block problems: tuple).
        L0, L1: constants of **Assumption 4.2 exactly as printed** (first-order form, gradient norm at the
            first argument, pairs with ‖x − y‖ ≤ 1/L1; L1 = 0 means all pairs). None where not certified.
        L: global smoothness constant (Definition A.1), or None when f is not L-smooth.
        hessian_constants: a certified pair (L0, L1) of the Hessian form sup_{‖h‖≤1}|⟨h,∇²f(x)h⟩| ≤
            L0 + L1‖∇f(x)‖_* (the one named in the family docstring), or None. The Assumption 4.2 pair always
            implies the Hessian form (let y → x), so the Hessian constants are never larger.
        f_star: inf f (``-inf`` if unbounded below); None if not computed.
        f_star_attained: whether inf f is a minimum.
        f_star_method: how f_star was obtained ("closed form", "cvxpy (Clarabel) + Newton polish", …).
        f_star_tol: absolute accuracy of f_star (0 for a closed form).
        x_star: a minimiser when known (host NumPy), else None.
        sigma2: Euclidean variance bound of :meth:`stochastic_grad` (Assumption 4.8 (ii)).
        stochastic: how :meth:`stochastic_grad` samples.
        hypotheses: subset of :data:`HYPOTHESES`.
        provenance: where the family comes from.
        derivation: how the constants were derived (one paragraph; the family docstring has the proof).
        params: the parameters of the instance.
        scale: typical magnitude ‖x − center‖ at which the ratio of Assumption 4.2 is largest (for sampling).
        center: point around which test points are sampled (x_star or 0).
        notes: caveats (e.g. why a control is not (L0,L1)-smooth).
    """

    name: str
    family: str
    shape: tuple
    norm: Norm
    x0: Any
    L0: float | None
    L1: float | None
    L: float | None
    f_star: float | None
    f_star_attained: bool | None
    f_star_method: str
    sigma2: float
    hypotheses: frozenset
    provenance: str
    derivation: str
    kernel: Kernel = field(repr=False)
    data: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    params: Mapping[str, Any] = field(default_factory=dict)
    hessian_constants: tuple | None = None
    f_star_tol: float = 0.0
    x_star: Any = field(default=None, repr=False)
    stochastic: str = "additive Gaussian noise ξ ~ N(0, (σ²/dim)·I), so E‖ξ‖₂² = σ² exactly"
    scale: float = 1.0
    center: Any = field(default=None, repr=False)
    notes: str = ""
    tradeoff_fn: Callable[[float, str], float] | None = field(default=None, repr=False)
    witness_fn: Callable[[np.random.Generator], tuple] | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.hypotheses) - set(HYPOTHESES)
        if unknown:
            raise ValueError(f"hypotheses: unknown names {sorted(unknown)}; see problems.HYPOTHESES")
        object.__setattr__(self, "hypotheses", frozenset(self.hypotheses))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "data", MappingProxyType({k: readonly(v) for k, v in self.data.items()}))
        if self.center is None:
            c = self.x_star if self.x_star is not None else _zeros(self.shape)
            object.__setattr__(self, "center", c)

    # --- shape helpers ---
    @property
    def is_block(self) -> bool:
        """True if x is a tuple of arrays (a product geometry)."""
        return bool(self.shape) and isinstance(self.shape[0], tuple)

    @property
    def dim(self) -> int:
        """Total number of real entries of x."""
        if self.is_block:
            return int(sum(math.prod(s) for s in self.shape))
        return int(math.prod(self.shape))

    @property
    def has_hvp(self) -> bool:
        """Whether :meth:`hvp` is implemented."""
        return self.kernel.has_hvp

    # --- validation ---
    def _check(self, x: Point, what: str, *, batch: bool, domain: bool = True) -> tuple:
        """Validate x (shape, floating dtype, finiteness); return the batch shape."""
        shapes = self.shape if self.is_block else (self.shape,)
        leaves = x if is_block(x) else (x,)
        if is_block(x) != self.is_block:
            kind = "a tuple of arrays" if self.is_block else "a single array"
            raise ValueError(f"{what}: problem {self.name} expects {kind} of shape {_shape_str(self.shape)}")
        if len(leaves) != len(shapes):
            raise ValueError(f"{what}: expected {len(shapes)} blocks, got {len(leaves)}")
        batch_shape = None
        for leaf, shp in zip(leaves, shapes):
            if not hasattr(leaf, "shape") or not hasattr(leaf, "dtype"):
                raise ValueError(f"{what}: expected an array, got {type(leaf).__name__}")
            xp = namespace(leaf)
            if not xp.isdtype(leaf.dtype, "real floating"):
                raise ValueError(f"{what}: expected a real floating dtype, got {leaf.dtype}")
            got = tuple(leaf.shape)
            k = len(shp)
            ok = got[len(got) - k :] == tuple(shp) and (len(got) > k if batch else len(got) == k)
            if not ok:
                want = f"(batch, *{tuple(shp)})" if batch else str(tuple(shp))
                raise ValueError(f"{what}: expected shape {want}, got {got}")
            b = got[: len(got) - k]
            if batch_shape is not None and b != batch_shape:
                raise ValueError(f"{what}: blocks have different batch shapes {batch_shape} and {b}")
            batch_shape = b
        if not tree_all_finite(x):
            raise ValueError(f"{what}: input contains NaN or infinity")
        if domain:
            self.kernel.domain_check(x)
        return batch_shape

    def _data(self, x: Point) -> Mapping[str, Array]:
        """The family data on the back end, device and dtype of x (cached)."""
        leaf = x[0] if is_block(x) else x
        key = (backend_name(leaf), str(device_of(leaf)), str(leaf.dtype))
        D = self._cache.get(key)
        if D is None:
            # a writable host copy: torch cannot wrap read-only NumPy memory without a warning
            D = {k: like(np.array(v, copy=True), leaf) for k, v in self.data.items()}
            self._cache[key] = D
        return D

    def _call(self, fn: Callable, what: str, *args: Any) -> Any:
        with warnings.catch_warnings():
            # Overflow is reported through OverflowError below, not through NumPy's RuntimeWarning.
            warnings.simplefilter("ignore", RuntimeWarning)
            out = fn(*args)
        return _checked(out, what)

    # --- oracles (single point) ---
    def f(self, x: Point) -> Array:
        """f(x) as a 0-D array on the back end of x."""
        self._check(x, "x", batch=False)
        return self._call(self.kernel.f, f"{self.name}: f", x, self._data(x))

    def grad(self, x: Point) -> Point:
        """∇f(x), shaped like x."""
        self._check(x, "x", batch=False)
        return self._call(self.kernel.grad, f"{self.name}: grad", x, self._data(x))

    def hvp(self, x: Point, v: Point) -> Point:
        """∇²f(x)[v], shaped like x (``NotImplementedError`` if the family has no cheap hvp)."""
        self._check(x, "x", batch=False)
        self._check(v, "v", batch=False, domain=False)  # v is a direction: no domain restriction
        return self._call(self.kernel.hvp, f"{self.name}: hvp", x, v, self._data(x))

    def stochastic_grad(self, x: Point, rng: np.random.Generator) -> Point:
        r"""An unbiased stochastic gradient ∇f(x, ξ) with E‖∇f(x, ξ) − ∇f(x)‖₂² ≤ :attr:`sigma2` (Asm. 4.8).

        Randomness comes only from ``rng`` (drawn in NumPy float64 and moved to the back end of x).
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self._check(x, "x", batch=False)
        D = self._data(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            g = self.kernel.minibatch_grad(x, rng, D)
            if g is None:
                g = self.kernel.grad(x, D)
                g = _add_noise(g, rng, self.sigma2, self.dim)
        return _checked(g, f"{self.name}: stochastic_grad")

    # --- batched oracles (leading batch dimensions) ---
    def f_batch(self, X: Point) -> Array:
        """f at a stack of points (leading batch dimensions); returns an array of the batch shape."""
        self._check(X, "X", batch=True)
        return self._call(self.kernel.f, f"{self.name}: f", X, self._data(X))

    def grad_batch(self, X: Point) -> Point:
        """∇f at a stack of points (leading batch dimensions)."""
        self._check(X, "X", batch=True)
        return self._call(self.kernel.grad, f"{self.name}: grad", X, self._data(X))

    def hvp_batch(self, X: Point, V: Point) -> Point:
        """∇²f(X)[V] for stacks of points and directions."""
        if self._check(X, "X", batch=True) != self._check(V, "V", batch=True, domain=False):
            raise ValueError("V: batch shape differs from that of X")
        return self._call(self.kernel.hvp, f"{self.name}: hvp", X, V, self._data(X))

    # --- constants ---
    def tradeoff(self, L1: float, form: str = "assumption") -> float:
        r"""The admissible trade-off curve: the smallest L0 that works with this L1 (``inf`` if none does).

        Args:
            L1: the constant L1 ≥ 0.
            form: ``"assumption"`` (Assumption 4.2, first-order, the form the certification checks) or
                ``"hessian"`` (see :data:`FORMS`).
        """
        if form not in FORMS:
            raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}")
        if self.tradeoff_fn is None:
            raise NotImplementedError(f"{self.family}: no trade-off curve derived for this family")
        return float(self.tradeoff_fn(positive_float(L1, "L1", allow_zero=True), form))

    @property
    def has_tradeoff(self) -> bool:
        """Whether :meth:`tradeoff` is available."""
        return self.tradeoff_fn is not None

    def witness_pairs(self, rng: np.random.Generator) -> tuple | None:
        """Pairs (X, Y) (host batches) at or near the maximiser of the Assumption 4.2 ratio, per the derivation."""
        return None if self.witness_fn is None else self.witness_fn(rng)

    @property
    def certified(self) -> bool:
        """True if (L0, L1) are certified constants of Assumption 4.2 (global)."""
        return "l0l1_smooth" in self.hypotheses and self.L0 is not None and self.L1 is not None

    def describe(self) -> str:
        """One line: name, geometry, (L0, L1), L and f_star."""
        return f"{self.name} | {geometry_label(self.norm)} | {constants_str(self)}"


def geometry_label(norm: Norm) -> str:
    """Short geometry name for tables: ``l2``, ``linf``, ``spectral``, ``product(spectral,spectral)``."""
    blocks = getattr(norm, "blocks", None)
    if blocks:
        return f"{norm.name}(" + ",".join(geometry_label(b) for b in blocks) + ")"
    return norm.name


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "-inf" if v < 0 else "inf"
    return f"{v:.6g}"


def constants_str(p: Problem) -> str:
    """``(L0, L1) = (…, …), L = …, f* = … [not attained]`` for tables."""
    att = "" if p.f_star is None or p.f_star_attained else " (not attained)"
    lc = f"(L0, L1) = ({_fmt(p.L0)}, {_fmt(p.L1)})" if p.certified else "(L0, L1): none (not (L0,L1)-smooth)"
    return f"{lc}, L = {_fmt(p.L)}, f* = {_fmt(p.f_star)}{att}"


def _zeros(shape: tuple) -> Any:
    if shape and isinstance(shape[0], tuple):
        return tuple(np.zeros(s) for s in shape)
    return np.zeros(shape)


def _add_noise(g: Point, rng: np.random.Generator, sigma2: float, dim: int) -> Point:
    std = math.sqrt(sigma2 / dim)
    if is_block(g):
        return tuple(gl + like(std * rng.standard_normal(tuple(gl.shape)), gl) for gl in g)
    return g + like(std * rng.standard_normal(tuple(g.shape)), g)
