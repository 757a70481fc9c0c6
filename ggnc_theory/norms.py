r"""Norm geometries: primal norm, dual norm, lmo and sharp operator.

Every geometry is an immutable object with four operations (SPEC §1.1, paper Table 1):

* ``norm(x)``: the primal norm ‖x‖;
* ``norm.dual(g)``: the dual norm ‖g‖_* = max_{‖s‖≤1} ⟨g, s⟩;
* ``norm.lmo(g, radius)``: **the argmin** of ⟨g, s⟩ over the ball ‖s‖ ≤ radius — the paper's sign, so the
  lmo points *against* g and ⟨g, lmo(g, r)⟩ = −r·‖g‖_*. (Scion, ClippedScion, Muon and modula return the
  maximiser, i.e. −lmo; conversions live in :mod:`ggnc_theory.compat` only.)
* ``norm.sharp(g)``: g♯ = −‖g‖_*·lmo(g), the steepest-descent direction, with ⟨g, g♯⟩ = ‖g♯‖² = ‖g‖_*².

``norm.dual_lmo(g, radius)`` returns ``(dual(g), lmo(g, radius))`` from one factorisation (one SVD for the
spectral geometries); the algorithms use it.

``norm.batch(X)``, ``norm.batch_dual(G)`` and ``norm.batch_lmo(G, radius)`` apply the same operations to every
item along a leading axis, vectorised where the formula allows (the certification sampler of
:mod:`problems.certify` evaluates 10⁴ pairs at once with them).

With these conventions the GGNC step (Algorithm 1) is ``x + γ·min(ρ, ‖d‖_*)·lmo(d)``.

Inner products are Euclidean: ⟨a, b⟩ = Σ a_i b_i over all entries (the trace inner product for matrices).

Degenerate input and ties (the argmin is a set there; we pick one element deterministically):
    * ``lmo(0)`` is the zero array and ``dual(0) = 0``, with no NaN and no warning. ‖lmo(0)‖ = radius therefore
      fails at g = 0 — the only exception to that identity.
    * ℓ1: the first position (row-major) of max |g_i|. ℓ∞ / Sign: sign(g) with 0 ↦ 0, still a minimiser.
    * Spectral (SVD): U_r V_rᵀ over the singular values above ``max(m, n)·eps·σ_max``; the null-space part is
      set to zero. This partial isometry is unique even when singular values repeat.
    * Nuclear: the first singular pair returned by the SVD (any top pair is a minimiser).
    * Column/row norms: a zero column (row) gets a zero lmo column (row).

Non-finite input raises ``ValueError``. All operations run on any array-API back end (NumPy, torch CPU/CUDA)
and return arrays of the input's namespace, dtype and device (0-D arrays for the scalar operations; NumPy
returns them as NumPy scalars). Norms of the ℓ2 family and ℓp are computed on x/max|x|, so entries near the
overflow or underflow threshold give finite, exact-to-rounding results.

Example:
    >>> import numpy as np
    >>> from ggnc_theory.norms import Linf, Product, L2
    >>> g = np.array([3.0, -1.0, 0.5])
    >>> float(Linf().dual(g)), Linf().lmo(g, radius=2.0).tolist()   # ‖g‖₁ and −r·sign(g)
    (4.5, [-2.0, 2.0, -2.0])
    >>> P = Product((Linf(), L2()), radii=(1.0, 0.5))
    >>> float(P.dual((g, np.array([0.0, 4.0]))))                     # Σ_l r_l·‖g_l‖_*  = 4.5 + 0.5·4
    6.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from . import newton_schulz as _ns
from ._backend import (
    Array,
    Point,
    check_finite,
    finite_positive,
    is_block,
    namespace,
    quiet_float_errors,
    to_float,
    tree_scale,
)

__all__ = [
    "Norm",
    "L2",
    "L1",
    "Linf",
    "Lp",
    "Frobenius",
    "Spectral",
    "Nuclear",
    "Sign",
    "ColNorm",
    "RowNorm",
    "BiasRMS",
    "SpectralConv",
    "Product",
    "NORMS",
    "get",
    "available",
]


# --------------------------------------------------------------------------------------------- base class
@dataclass(frozen=True)
class Norm:
    """Base class of all geometries. Subclasses implement ``_check``, ``_primal`` and ``_dual_lmo``."""

    name: ClassVar[str] = "norm"
    formula: ClassVar[str] = ""
    # True when a NaN or infinity anywhere in the input always makes the computed norm non-finite (reductions
    # such as Σ|g|, max|g|, ‖g‖₂). Such geometries validate their *result* — free — and inspect the input only
    # when the result is non-finite; SVD-based ones must check the input before factorising.
    _result_reveals_nonfinite: ClassVar[bool] = False

    # --- public API (validated) ---
    def __call__(self, x: Point) -> Array:
        """Primal norm ‖x‖ as a 0-D array."""
        self._validate(x, "x")
        with quiet_float_errors():  # a non-finite result is turned into a clear error by _finish
            value = self._primal(x)
        return self._finish(value, x, "x")

    def dual(self, g: Point) -> Array:
        """Dual norm ‖g‖_* = max_{‖s‖≤1} ⟨g, s⟩ as a 0-D array."""
        self._validate(g, "g")
        with quiet_float_errors():
            value = self._dual(g)
        return self._finish(value, g, "g")

    def lmo(self, g: Point, radius: float = 1.0) -> Point:
        """argmin_{‖s‖ ≤ radius} ⟨g, s⟩ (paper sign: points against g)."""
        if self._result_reveals_nonfinite:  # validated through its dual norm
            return self.dual_lmo(g, radius)[1]
        r = finite_positive(radius, "radius")
        self._validate(g, "g")
        return self._lmo(g, r)

    def sharp(self, g: Point) -> Point:
        """g♯ = argmax_x ⟨g, x⟩ − ½‖x‖² = −‖g‖_*·lmo(g)."""
        d, s = self.dual_lmo(g, 1.0)
        return tree_scale(-d, s)

    def dual_lmo(self, g: Point, radius: float = 1.0) -> tuple[Array, Point]:
        """``(dual(g), lmo(g, radius))`` computed from one factorisation."""
        r = finite_positive(radius, "radius")
        self._validate(g, "g")
        with quiet_float_errors():
            d, s = self._dual_lmo(g, r)
        return self._finish(d, g, "g"), s

    def describe(self) -> str:
        """One line: name, parameters and formulas."""
        return f"{self!r}: {self.formula}"

    # --- batched API: one item per index of the leading axis ---
    def batch(self, X: Point) -> Array:
        """‖X_b‖ for every item X_b along the leading axis (a 1-D array; blockwise leading axes for a Product).

        Vectorised where the formula allows (ℓ2/Frobenius, ℓ1, ℓ∞, ℓp, Sign, the spectral family through
        stacked SVDs, Nuclear, Product of those); otherwise one validated call per item. The vectorised paths
        do not validate finiteness: a non-finite item gives a non-finite entry instead of an error, so a caller
        sampling near overflow (:mod:`problems.certify`) can count it.
        """
        self._validate_batch(X, "X")
        with quiet_float_errors():
            return self._batch_primal(X)

    def batch_dual(self, G: Point) -> Array:
        """‖G_b‖_* for every item along the leading axis (see :meth:`batch`)."""
        self._validate_batch(G, "G")
        with quiet_float_errors():
            return self._batch_dual(G)

    def batch_lmo(self, G: Point, radius: float = 1.0) -> Point:
        """lmo(G_b, radius) for every item along the leading axis, stacked (see :meth:`batch`)."""
        r = finite_positive(radius, "radius")
        self._validate_batch(G, "G")
        with quiet_float_errors():
            return self._batch_lmo(G, r)

    def l2_equivalence(self, x: Point) -> float | None:
        """ζ_* of SPEC §1.2 for arrays shaped like ``x``: the smallest c with ‖v‖ ≤ c·‖v‖₂ for every such v
        (‖v‖₂ over all entries), or None when the geometry does not know it."""
        return None

    # --- internals ---
    def _validate(self, x: Point, what: str) -> None:
        if is_block(x):
            raise ValueError(f"{what}: {type(self).__name__} acts on a single array, got a sequence of arrays")
        if not hasattr(x, "shape") or not hasattr(x, "dtype"):
            raise ValueError(f"{what}: expected an array, got {type(x).__name__}")
        self._check(x, what)
        if not self._result_reveals_nonfinite:
            check_finite(x, what)

    def _finish(self, value: Array, x: Point, what: str) -> Array:
        if self._result_reveals_nonfinite and not math.isfinite(to_float(value)):
            check_finite(x, what)  # names the argument when the input itself is non-finite
            raise OverflowError(f"{what}: the {type(self).__name__} norm of this input overflows {_dtype(x)}")
        return value

    def _check(self, x: Array, what: str) -> None:
        if x.ndim < 1:
            raise ValueError(f"{what}: {type(self).__name__} needs an array with ndim ≥ 1, got a 0-D array")

    def _validate_batch(self, X: Point, what: str) -> None:
        if is_block(X):
            raise ValueError(f"{what}: {type(self).__name__} acts on a single array, got a sequence of arrays")
        if not hasattr(X, "shape") or not hasattr(X, "dtype"):
            raise ValueError(f"{what}: expected an array, got {type(X).__name__}")
        if X.ndim < 1:
            raise ValueError(f"{what}: a batch needs a leading axis, got a 0-D array")
        if X.shape[0] > 0:
            self._check(X[0, ...], f"{what}[0]")

    # Defaults: one validated call per item. Subclasses with a vectorised formula override these.
    def _batch_primal(self, X: Array) -> Array:
        return _stack_items(X, [self(X[i, ...]) for i in range(X.shape[0])])

    def _batch_dual(self, G: Array) -> Array:
        return _stack_items(G, [self.dual(G[i, ...]) for i in range(G.shape[0])])

    def _batch_lmo(self, G: Array, radius: float) -> Array:
        xp = namespace(G)
        if G.shape[0] == 0:
            return xp.zeros_like(G)
        return xp.stack([self.lmo(G[i, ...], radius) for i in range(G.shape[0])])

    def _primal(self, x: Array) -> Array:  # pragma: no cover - abstract
        raise NotImplementedError

    def _dual(self, g: Array) -> Array:
        return self._dual_lmo(g, 1.0)[0]

    def _lmo(self, g: Array, radius: float) -> Array:
        return self._dual_lmo(g, radius)[1]

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:  # pragma: no cover - abstract
        raise NotImplementedError


def _dtype(x: Point) -> str:
    leaf = x[0] if is_block(x) else x
    return str(leaf.dtype).replace("torch.", "")


def _stack_items(X: Array, values: list) -> Array:
    xp = namespace(X)
    if not values:
        return xp.zeros((0,), dtype=X.dtype, device=_dev(X))
    return xp.stack([xp.asarray(v) for v in values])


def _item_axes(X: Array) -> tuple[int, ...]:
    """The axes of one item of a batch (all but the leading one)."""
    return tuple(range(1, X.ndim))


def _flat_items(X: Array) -> Array:
    return namespace(X).reshape(X, (X.shape[0], math.prod(X.shape[1:])))  # -1 is ambiguous for 0 items


def _sum_abs(x: Array, axes: tuple[int, ...] | None = None) -> Array:
    xp = namespace(x)
    return xp.sum(xp.abs(x), axis=axes)


def _max_abs(x: Array, axes: tuple[int, ...] | None = None) -> Array:
    xp = namespace(x)
    return xp.max(xp.abs(x), axis=axes)


def _sum_terms(terms: Any) -> Array:
    """Σ of arrays without a Python 0 start (which would not keep a 0-D array's namespace)."""
    total = None
    for t in terms:
        total = t if total is None else total + t
    return total


def _safe(xp: Any, v: Array) -> Array:
    """v where v > 0, else 1 — a divisor that never produces NaN or a warning."""
    return xp.where(v > 0, v, xp.ones_like(v))


_FLOORS: dict = {}


def _safe_norm_floor(xp: Any, dtype: Any) -> float:
    """sqrt(tiny/eps) of ``dtype``: above it a sum of squares has lost nothing to underflow (cached per dtype)."""
    key = (xp.__name__, str(dtype))
    floor = _FLOORS.get(key)
    if floor is None:
        fi = xp.finfo(dtype)
        floor = _FLOORS[key] = math.sqrt(float(fi.smallest_normal) / float(fi.eps))
    return floor


def _l2(x: Array, axis: int | None = None) -> Array:
    """‖x‖₂ (of all entries, or along ``axis``), robust to overflow and underflow."""
    return _l2_unit(x, axis, want_unit=False)[0]


def _l2_unit(
    x: Array, axis: int | None = None, *, want_unit: bool = True, scale: float = 1.0
) -> tuple[Array, Array | None]:
    """(‖x‖₂, scale·x/‖x‖₂) along ``axis`` (all entries for None), with zero for a zero vector.

    Fast path: a finite norm above sqrt(tiny/eps) means no square overflowed and the ones that underflowed are
    below the rounding of the sum. Otherwise (entries ~1e200 or subnormal in float64, ~1e-30 in float32) both are
    recomputed on u = x/max|x|, and the unit vector is u/‖u‖ — dividing x by a subnormal norm would lose all
    precision. The branch costs one host check of a scalar.
    """
    xp = namespace(x)
    # Overflow/underflow in this sum is detected just below and repaired; the public methods run under
    # quiet_float_errors, so no warning escapes either.
    if axis is None:
        # sqrt(⟨x, x⟩) runs as one BLAS dot; NumPy's vector_norm squares into a temporary first (4–5× slower
        # at 10⁵ entries, and the ℓ2 norm is on every GGNC step).
        flat = xp.reshape(x, (-1,))
        n = xp.sqrt(flat @ flat)
    else:
        n = xp.linalg.vector_norm(x, axis=axis)
    if bool(xp.all(xp.isfinite(n) & (n >= _safe_norm_floor(xp, x.dtype)))):
        if not want_unit:
            return n, None
        # scale/n is finite here (n ≥ 1e-146 in float64), so one temporary suffices.
        return n, x * (scale / n if axis is None else xp.expand_dims(scale / n, axis=axis))
    m = _safe(xp, xp.max(xp.abs(x), axis=axis))
    u = x / (m if axis is None else xp.expand_dims(m, axis=axis))
    nu = xp.linalg.vector_norm(u, axis=axis)
    unit = None
    if want_unit:
        nus = _safe(xp, nu)
        unit = (u / (nus if axis is None else xp.expand_dims(nus, axis=axis))) * scale
    return m * nu, unit


def _check_matrix(norm: Norm, x: Array, what: str) -> None:
    if x.ndim != 2:
        raise ValueError(f"{what}: {type(norm).__name__} needs a 2-D array, got shape {tuple(x.shape)}")


# --------------------------------------------------------------------------------------------- vector norms
@dataclass(frozen=True)
class L2(Norm):
    """Euclidean norm of all entries; self-dual; lmo(g) = −r·g/‖g‖₂ (Clipped GD row of Table 1)."""

    name: ClassVar[str] = "l2"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "‖x‖₂ | dual ‖g‖₂ | lmo −r·g/‖g‖₂"

    def _primal(self, x: Array) -> Array:
        return _l2(x)

    def l2_equivalence(self, x: Point) -> float | None:
        return 1.0

    def _dual(self, g: Array) -> Array:
        return _l2(g)

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        return _l2_unit(g, scale=-radius)

    def _batch_primal(self, X: Array) -> Array:
        return _l2(_flat_items(X), axis=1)

    def _batch_dual(self, G: Array) -> Array:
        return _l2(_flat_items(G), axis=1)

    def _batch_lmo(self, G: Array, radius: float) -> Array:
        return namespace(G).reshape(_l2_unit(_flat_items(G), axis=1, scale=-radius)[1], G.shape)


@dataclass(frozen=True)
class Frobenius(L2):
    """Frobenius norm of a matrix (ℓ2 of the entries); self-dual."""

    name: ClassVar[str] = "frobenius"
    formula: ClassVar[str] = "‖X‖_F | dual ‖G‖_F | lmo −r·G/‖G‖_F"

    def _check(self, x: Array, what: str) -> None:
        _check_matrix(self, x, what)


@dataclass(frozen=True)
class L1(Norm):
    """ℓ1 norm of all entries; dual ℓ∞; lmo = −r·sign(g_i)·e_i at the first i maximising |g_i|."""

    name: ClassVar[str] = "l1"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "‖x‖₁ | dual ‖g‖∞ | lmo −r·sign(g_i)e_i, i = first argmax |g_i|"

    def _primal(self, x: Array) -> Array:
        return _sum_abs(x)

    def _batch_primal(self, X: Array) -> Array:
        return _sum_abs(X, _item_axes(X))

    def _batch_dual(self, G: Array) -> Array:
        return _max_abs(G, _item_axes(G))

    def l2_equivalence(self, x: Point) -> float | None:
        return math.sqrt(math.prod(x.shape))  # attained by the all-ones array

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        flat = xp.reshape(g, (-1,))
        a = xp.abs(flat)
        i = xp.argmax(a)
        hit = xp.arange(flat.shape[0], device=_dev(g)) == i
        s = xp.where(hit, -radius * xp.sign(flat), xp.zeros_like(flat))
        return xp.max(a), xp.reshape(s, g.shape)


@dataclass(frozen=True)
class Linf(Norm):
    """ℓ∞ (max) norm of all entries; dual ℓ1; lmo = −r·sign(g) (Clipped Sign row of Table 1)."""

    name: ClassVar[str] = "linf"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "‖x‖∞ | dual ‖g‖₁ | lmo −r·sign(g)"

    def _primal(self, x: Array) -> Array:
        return _max_abs(x)

    def _dual(self, g: Array) -> Array:
        return _sum_abs(g)

    def l2_equivalence(self, x: Point) -> float | None:
        return 1.0

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        return _sum_abs(g), (-radius) * namespace(g).sign(g)

    def _batch_primal(self, X: Array) -> Array:
        return _max_abs(X, _item_axes(X))

    def _batch_dual(self, G: Array) -> Array:
        return _sum_abs(G, _item_axes(G))

    def _batch_lmo(self, G: Array, radius: float) -> Array:
        return (-radius) * namespace(G).sign(G)


@dataclass(frozen=True)
class Lp(Norm):
    """ℓp norm of all entries, 1 < p < ∞; dual ℓq with 1/p + 1/q = 1.

    lmo(g) = −r·sign(g)|g|^{q−1}/‖g‖_q^{q−1}. Computed on g/‖g‖∞ so that large entries do not overflow.

    Args:
        p: the exponent p (paper: any norm; here ℓp).
    """

    p: float = 3.0
    name: ClassVar[str] = "lp"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "‖x‖_p | dual ‖g‖_q, q = p/(p−1) | lmo −r·sign(g)|g|^{q−1}/‖g‖_q^{q−1}"

    def __post_init__(self) -> None:
        p = finite_positive(self.p, "p")
        if not p > 1:
            raise ValueError(f"p must satisfy 1 < p < ∞, got {self.p!r} (use L1 or Linf for the endpoints)")
        object.__setattr__(self, "p", p)

    @property
    def q(self) -> float:
        """The dual exponent q = p/(p − 1)."""
        return self.p / (self.p - 1.0)

    def _primal(self, x: Array) -> Array:
        return _scaled_pnorm(x, self.p)

    def _batch_primal(self, X: Array) -> Array:
        return _scaled_pnorm(X, self.p, _item_axes(X))

    def _batch_dual(self, G: Array) -> Array:
        return _scaled_pnorm(G, self.q, _item_axes(G))

    def l2_equivalence(self, x: Point) -> float | None:
        # p < 2: Hölder, attained by the all-ones array; p ≥ 2: ‖v‖_p ≤ ‖v‖₂, attained by a basis vector
        return math.prod(x.shape) ** (1.0 / self.p - 0.5) if self.p < 2 else 1.0

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        q = self.q
        m = _safe(xp, xp.max(xp.abs(g)))
        u = xp.abs(g) / m
        nq = xp.linalg.vector_norm(u, ord=q)
        w = u ** (q - 1.0)
        s = (-radius) * xp.sign(g) * w / _safe(xp, nq ** (q - 1.0))
        return m * nq, s  # m is 1 for g = 0, where nq = 0


def _scaled_pnorm(x: Array, p: float, axes: tuple[int, ...] | None = None) -> Array:
    """‖x‖_p over ``axes`` (all for None), computed on x/max|x| so that large entries do not overflow."""
    xp = namespace(x)
    m = xp.max(xp.abs(x), axis=axes, keepdims=True)
    v = xp.linalg.vector_norm(xp.abs(x) / _safe(xp, m), axis=axes, ord=p)
    return xp.reshape(m, v.shape) * v


def _dev(x: Array) -> Any:
    from ._backend import device_of

    return device_of(x)


# --------------------------------------------------------------------------------------------- matrix norms
_SPECTRAL_METHODS = ("svd", "newton_schulz")


def _svd_polar(G: Array) -> tuple[Array, Array]:
    """(‖G‖_{S1}, U_r V_rᵀ) from one reduced SVD; singular values below max(m,n)·eps·σ_max are dropped.
    G may be a stack of matrices (leading axes); then both results are per matrix."""
    xp = namespace(G)
    U, S, Vh = xp.linalg.svd(G, full_matrices=False)
    eps = _eps(G.dtype)
    tol = S[..., :1] * (max(G.shape[-2:]) * eps)
    keep = xp.astype(S > tol, G.dtype)
    return xp.sum(S, axis=-1), (U * xp.expand_dims(keep, axis=-2)) @ Vh


def _eps(dtype: Any) -> float:
    from .tolerances import eps

    return eps(dtype)


@dataclass(frozen=True)
class _SpectralBase(Norm):
    """Shared machinery of the spectral geometries: exact SVD or Newton–Schulz, and a shape-dependent scale."""

    method: str = "svd"
    coefficients: str = "muon"
    steps: int | None = None

    def __post_init__(self) -> None:
        if self.method not in _SPECTRAL_METHODS:
            raise ValueError(f"method must be one of {_SPECTRAL_METHODS}, got {self.method!r}")
        table = _ns.get_table(self.coefficients)
        table.schedule(self.steps)  # validates steps
        if not isinstance(self.coefficients, str):
            object.__setattr__(self, "coefficients", table.name)

    def _scale(self, shape: tuple[int, ...]) -> float:
        """c in ‖W‖ = c·‖mat(W)‖_{S∞} (1 for the plain spectral norm)."""
        return 1.0

    def _mat(self, x: Array) -> Array:
        return x

    def _mats(self, X: Array) -> Array:
        """``_mat`` of every item of a batch (a stack of matrices)."""
        return X

    # σ_max and Σσ of a matrix or of a stack of matrices M (svdvals and the reduction act per matrix)
    def _sv_max(self, M: Array, item_shape: tuple[int, ...]) -> Array:
        xp = namespace(M)
        return self._scale(item_shape) * xp.max(xp.linalg.svdvals(M), axis=-1)

    def _sv_sum(self, M: Array, item_shape: tuple[int, ...]) -> Array:
        xp = namespace(M)
        return xp.sum(xp.linalg.svdvals(M), axis=-1) / self._scale(item_shape)

    def _primal(self, x: Array) -> Array:
        return self._sv_max(self._mat(x), tuple(x.shape))

    def _batch_primal(self, X: Array) -> Array:
        return self._sv_max(self._mats(X), tuple(X.shape[1:]))

    def _batch_dual(self, G: Array) -> Array:
        if self.method != "svd":  # Newton–Schulz acts on one matrix at a time
            return super()._batch_dual(G)
        return self._sv_sum(self._mats(G), tuple(G.shape[1:]))

    def _batch_lmo(self, G: Array, radius: float) -> Array:
        if self.method != "svd":
            return super()._batch_lmo(G, radius)
        xp = namespace(G)
        P = _svd_polar(self._mats(G))[1]
        return xp.reshape((-radius / self._scale(tuple(G.shape[1:]))) * P, G.shape)

    def l2_equivalence(self, x: Point) -> float | None:
        return self._scale(tuple(x.shape))  # σ_max ≤ ‖·‖_F, equality for rank one

    def _dual(self, g: Array) -> Array:
        if self.method != "svd":
            return self._dual_lmo(g, 1.0)[0]
        return self._sv_sum(self._mat(g), tuple(g.shape))

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        G = self._mat(g)
        if self.method == "svd":
            nuc, P = _svd_polar(G)
        else:
            P = _ns.newton_schulz(G, self.coefficients, self.steps)
            # ⟨G, NS(G)⟩, the biased statistic ClippedScion clips on; a flat dot avoids a G-sized temporary
            nuc = xp.reshape(G, (-1,)) @ xp.reshape(P, (-1,))
        c = self._scale(tuple(g.shape))
        return nuc / c, xp.reshape((-radius / c) * P, g.shape)

    def _lmo(self, g: Array, radius: float) -> Array:
        if self.method == "svd":
            return self._dual_lmo(g, radius)[1]  # the SVD gives the dual for free
        xp = namespace(g)
        P = _ns.newton_schulz(self._mat(g), self.coefficients, self.steps)
        return xp.reshape((-radius / self._scale(tuple(g.shape))) * P, g.shape)


@dataclass(frozen=True)
class Spectral(_SpectralBase):
    r"""Spectral norm (Schatten-∞) of a matrix; dual nuclear norm; lmo = −r·UVᵀ (Clipped Spectral, Table 1).

    Args:
        method: ``"svd"`` (exact, default) or ``"newton_schulz"`` (approximate UVᵀ; the dual norm is then
            the biased statistic ⟨G, NS(G)⟩ that ClippedScion clips on, SPEC §5.2).
        coefficients: Newton–Schulz table name (see :mod:`ggnc_theory.newton_schulz`).
        steps: Newton–Schulz steps (default: the table's).
        rms: Scion's RMS→RMS scaling for a (d_out, d_in) weight: ‖W‖ = √(d_in/d_out)·‖W‖_{S∞},
            dual √(d_out/d_in)·‖G‖_{S1}, lmo −r·√(d_out/d_in)·UVᵀ.
    """

    rms: bool = False
    name: ClassVar[str] = "spectral"
    formula: ClassVar[str] = "‖X‖_{S∞} (×√(d_in/d_out) if rms) | dual ‖G‖_{S1} | lmo −r·UVᵀ"

    def _check(self, x: Array, what: str) -> None:
        _check_matrix(self, x, what)

    def _scale(self, shape: tuple[int, ...]) -> float:
        return math.sqrt(shape[1] / shape[0]) if self.rms else 1.0


@dataclass(frozen=True)
class SpectralConv(_SpectralBase):
    r"""Scion's convolution geometry for a (c_out, c_in, k, …) weight.

    The weight is reshaped to c_out × (c_in·T), T = number of kernel taps (k² for a k×k kernel), and
    ‖W‖ = T·√(c_in/c_out)·‖W_mat‖_{S∞}; dual (√(c_out/c_in)/T)·‖G_mat‖_{S1}; lmo −r·(√(c_out/c_in)/T)·UVᵀ
    (SPEC §5.1). Arguments as for :class:`Spectral`.
    """

    name: ClassVar[str] = "spectral_conv"
    formula: ClassVar[str] = "T·√(c_in/c_out)·‖W_mat‖_{S∞} | dual (√(c_out/c_in)/T)·‖G_mat‖_{S1} | lmo −r(√(c_out/c_in)/T)UVᵀ"

    def _check(self, x: Array, what: str) -> None:
        if x.ndim < 3:
            raise ValueError(
                f"{what}: SpectralConv needs a (c_out, c_in, k, ...) array with ndim ≥ 3, got shape {tuple(x.shape)}"
            )

    def _scale(self, shape: tuple[int, ...]) -> float:
        taps = math.prod(shape[2:])
        return taps * math.sqrt(shape[1] / shape[0])

    def _mat(self, x: Array) -> Array:
        return namespace(x).reshape(x, (x.shape[0], -1))

    def _mats(self, X: Array) -> Array:
        return namespace(X).reshape(X, (X.shape[0], X.shape[1], math.prod(X.shape[2:])))


@dataclass(frozen=True)
class Nuclear(Norm):
    """Nuclear norm (Schatten-1) of a matrix; dual spectral norm; lmo = −r·u₁v₁ᵀ (top singular pair)."""

    name: ClassVar[str] = "nuclear"
    formula: ClassVar[str] = "‖X‖_{S1} | dual ‖G‖_{S∞} | lmo −r·u₁v₁ᵀ"

    def _check(self, x: Array, what: str) -> None:
        _check_matrix(self, x, what)

    def _primal(self, x: Array) -> Array:
        xp = namespace(x)
        return xp.sum(xp.linalg.svdvals(x), axis=-1)

    def _dual(self, g: Array) -> Array:
        xp = namespace(g)
        return xp.max(xp.linalg.svdvals(g), axis=-1)

    _batch_primal = _primal  # svdvals and the reduction over its last axis act per matrix of a stack
    _batch_dual = _dual

    def l2_equivalence(self, x: Point) -> float | None:
        return math.sqrt(min(x.shape))  # Σσ ≤ √rank·‖·‖_F, equality for equal singular values

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        U, S, Vh = xp.linalg.svd(g, full_matrices=False)
        top = xp.astype(S[0] > 0, g.dtype)
        outer = U[:, 0:1] @ Vh[0:1, :]
        return S[0], (-radius) * top * outer


# --------------------------------------------------------------------------------------------- Scion norms
@dataclass(frozen=True)
class Sign(Norm):
    r"""Scion's Sign geometry: ‖W‖ = d_in·max|W_ij|, dual (1/d_in)·Σ|G_ij|, lmo −r·sign(G)/d_in.

    d_in is the last dimension (a torch ``Linear``/``Embedding`` weight is (d_out, d_in)).

    Args:
        normalized: if False, drop the d_in factor (plain ℓ∞ of the entries).
    """

    normalized: bool = True
    name: ClassVar[str] = "sign"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "d_in·max|W_ij| | dual Σ|G_ij|/d_in | lmo −r·sign(G)/d_in"

    def _scale(self, shape: tuple[int, ...]) -> float:
        return float(shape[-1]) if self.normalized else 1.0

    def _primal(self, x: Array) -> Array:
        return self._scale(tuple(x.shape)) * _max_abs(x)

    def _dual(self, g: Array) -> Array:
        return _sum_abs(g) / self._scale(tuple(g.shape))

    # d_in is the last dimension of an item and of the batch alike
    def _batch_primal(self, X: Array) -> Array:
        return self._scale(tuple(X.shape)) * _max_abs(X, _item_axes(X))

    def _batch_dual(self, G: Array) -> Array:
        return _sum_abs(G, _item_axes(G)) / self._scale(tuple(G.shape))

    def _batch_lmo(self, G: Array, radius: float) -> Array:
        return (-radius / self._scale(tuple(G.shape))) * namespace(G).sign(G)

    def l2_equivalence(self, x: Point) -> float | None:
        return self._scale(tuple(x.shape))

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        c = self._scale(tuple(g.shape))
        return xp.sum(xp.abs(g)) / c, (-radius / c) * xp.sign(g)


def _colmax_dual_lmo(G: Array, radius: float, c: float) -> tuple[Array, Array]:
    """Geometry ‖X‖ = c·max_j ‖X[:, j]‖₂: dual Σ_j ‖G[:, j]‖₂ / c, lmo column-normalised."""
    xp = namespace(G)
    cols, unit = _l2_unit(G, axis=0, scale=-radius / c)
    return xp.sum(cols) / c, unit


def _colmax_primal(X: Array, c: float) -> Array:
    xp = namespace(X)
    return c * xp.max(_l2(X, axis=0))


@dataclass(frozen=True)
class ColNorm(Norm):
    r"""Scion's ColNorm: ‖W‖ = c·max_j ‖W[:, j]‖₂ with c = 1/√d_out (×d_in if ``normalized``).

    Dual (1/c)·Σ_j ‖G[:, j]‖₂; lmo −(r/c)·G[:, j]/‖G[:, j]‖₂ per column (SPEC §5.1).

    Args:
        normalized: divide the lmo further by d_in (Scion's ``normalized=True``).
        transpose: act on Wᵀ (for (vocab, dim) embeddings).
    """

    normalized: bool = False
    transpose: bool = False
    name: ClassVar[str] = "colnorm"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "max_j‖W_:j‖₂/√d_out (×d_in if normalized) | dual √d_out·Σ_j‖G_:j‖₂ | lmo per column"

    def _check(self, x: Array, what: str) -> None:
        _check_matrix(self, x, what)

    def _c(self, W: Array) -> float:
        d_out, d_in = W.shape
        return (d_in if self.normalized else 1.0) / math.sqrt(d_out)

    def _primal(self, x: Array) -> Array:
        W = x.mT if self.transpose else x
        return _colmax_primal(W, self._c(W))

    def l2_equivalence(self, x: Point) -> float | None:
        return self._c(x.mT if self.transpose else x)  # max_j ‖W_:j‖₂ ≤ ‖W‖_F, equality for one column

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        G = g.mT if self.transpose else g
        d, s = _colmax_dual_lmo(G, radius, self._c(G))
        return d, (s.mT if self.transpose else s)


@dataclass(frozen=True)
class RowNorm(Norm):
    r"""Scion's RowNorm: ‖W‖ = c·max_i ‖W[i, :]‖₂ with c = √d_in if ``normalized`` (default) else 1.

    Dual (1/c)·Σ_i ‖G[i, :]‖₂; lmo −(r/c)·G[i, :]/‖G[i, :]‖₂ per row (SPEC §5.1).

    Args:
        normalized: Scion's ``normalized`` flag (the 1/√d_in factor of the lmo).
        transpose: act on Wᵀ.
    """

    normalized: bool = True
    transpose: bool = False
    name: ClassVar[str] = "rownorm"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "√d_in·max_i‖W_i:‖₂ | dual Σ_i‖G_i:‖₂/√d_in | lmo per row"

    def _check(self, x: Array, what: str) -> None:
        _check_matrix(self, x, what)

    def _c(self, W: Array) -> float:
        return math.sqrt(W.shape[1]) if self.normalized else 1.0

    def _primal(self, x: Array) -> Array:
        W = x.mT if self.transpose else x
        return _colmax_primal(W.mT, self._c(W))

    def l2_equivalence(self, x: Point) -> float | None:
        return self._c(x.mT if self.transpose else x)

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        G = g.mT if self.transpose else g
        d, s = _colmax_dual_lmo(G.mT, radius, self._c(G))
        s = s.mT
        return d, (s.mT if self.transpose else s)


@dataclass(frozen=True)
class BiasRMS(Norm):
    r"""Scion's BiasRMS: the RMS norm ‖b‖₂/√d of a 1-D array; dual √d·‖g‖₂; lmo −r·√d·g/‖g‖₂.

    For an n-D array the RMS is taken per slice along axis 0 (Scion's convention) and the norm is the
    maximum over slices: ‖W‖ = max_j ‖W[:, j]‖₂/√d₀ after reshaping to (d₀, −1).
    """

    name: ClassVar[str] = "bias_rms"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "‖b‖₂/√d | dual √d·‖g‖₂ | lmo −r·√d·g/‖g‖₂"

    def _mat(self, x: Array) -> Array:
        return namespace(x).reshape(x, (x.shape[0], -1))

    def _primal(self, x: Array) -> Array:
        return _colmax_primal(self._mat(x), 1.0 / math.sqrt(x.shape[0]))

    def l2_equivalence(self, x: Point) -> float | None:
        return 1.0 / math.sqrt(x.shape[0])

    def _dual_lmo(self, g: Array, radius: float) -> tuple[Array, Array]:
        xp = namespace(g)
        d, s = _colmax_dual_lmo(self._mat(g), radius, 1.0 / math.sqrt(g.shape[0]))
        return d, xp.reshape(s, g.shape)


# --------------------------------------------------------------------------------------------- product norm
@dataclass(frozen=True)
class Product(Norm):
    r"""Product max-norm over blocks with radii r_l (Section 3.1, Algorithm 3; SPEC §2.3).

    ‖x‖ = max_l ‖x_l‖_l / r_l for a point x = (x_1, …, x_D) given as a sequence of arrays.

    * lmo is block-local: lmo(g, R) = (R·r_1·lmo_1(g_1), …, R·r_D·lmo_D(g_D));
    * the dual norm is global: ‖g‖_* = Σ_l r_l·‖g_l‖_{l,*}.

    The paper's text prints Σ_l (1/r_l)‖g_l‖_{l,*}; that is inconsistent with the block-local lmo, with Table 1
    and with the ClippedScion code. We implement r_l, the consistent one (SPEC §8 item 7).

    Args:
        blocks: the per-block geometries ‖·‖_{W_l}.
        radii: the radii r_l > 0 (default all 1).
    """

    blocks: tuple = ()
    radii: tuple = field(default=None)  # type: ignore[assignment]
    name: ClassVar[str] = "product"
    _result_reveals_nonfinite: ClassVar[bool] = True
    formula: ClassVar[str] = "max_l ‖x_l‖_l/r_l | dual Σ_l r_l‖g_l‖_{l,*} | lmo (r_l·lmo_l(g_l))_l"

    def __post_init__(self) -> None:
        blocks = tuple(self.blocks)
        if not blocks:
            raise ValueError("blocks: a Product needs at least one block geometry")
        for i, b in enumerate(blocks):
            if not isinstance(b, Norm):
                raise ValueError(f"blocks[{i}]: expected a Norm, got {type(b).__name__}")
            if isinstance(b, Product):
                raise ValueError(f"blocks[{i}]: nested Product geometries are not supported; flatten the blocks")
        radii = (1.0,) * len(blocks) if self.radii is None else tuple(self.radii)
        if len(radii) != len(blocks):
            raise ValueError(f"radii: expected {len(blocks)} radii (one per block), got {len(radii)}")
        radii = tuple(finite_positive(r, f"radii[{i}]") for i, r in enumerate(radii))
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "radii", radii)

    def _validate(self, x: Point, what: str) -> None:
        if not is_block(x):
            raise ValueError(f"{what}: a Product geometry acts on a sequence of {len(self.blocks)} arrays")
        if len(x) != len(self.blocks):
            raise ValueError(f"{what}: expected {len(self.blocks)} blocks, got {len(x)}")
        for i, (b, xl) in enumerate(zip(self.blocks, x)):
            b._validate(xl, f"{what}[{i}]")

    def _primal(self, x: Point) -> Array:
        xp = namespace(x)
        vals = [b._primal(xl) / r for b, xl, r in zip(self.blocks, x, self.radii)]
        return xp.max(xp.stack([xp.asarray(v) for v in vals]))

    def _validate_batch(self, X: Point, what: str) -> None:
        if not is_block(X) or len(X) != len(self.blocks):
            raise ValueError(f"{what}: a Product batch is a sequence of {len(self.blocks)} arrays, one per block")
        for i, (b, xl) in enumerate(zip(self.blocks, X)):
            b._validate_batch(xl, f"{what}[{i}]")
        if len({xl.shape[0] for xl in X}) != 1:
            raise ValueError(f"{what}: the blocks have different batch sizes {[xl.shape[0] for xl in X]}")

    def _batch_primal(self, X: Point) -> Array:
        xp = namespace(X)
        return xp.max(xp.stack([b._batch_primal(xl) / r for b, xl, r in zip(self.blocks, X, self.radii)]), axis=0)

    def _batch_dual(self, G: Point) -> Array:
        return _sum_terms(r * b._batch_dual(gl) for b, gl, r in zip(self.blocks, G, self.radii))

    def _batch_lmo(self, G: Point, radius: float) -> tuple:
        return tuple(b._batch_lmo(gl, radius * r) for b, gl, r in zip(self.blocks, G, self.radii))

    def l2_equivalence(self, x: Point) -> float | None:
        # ‖x‖ = max_l ‖x_l‖_l/r_l ≤ max_l (c_l/r_l)‖x_l‖₂ ≤ (max_l c_l/r_l)·‖x‖₂, equality inside the worst block
        cs = [b.l2_equivalence(xl) for b, xl in zip(self.blocks, x)]
        return None if any(c is None for c in cs) else max(c / r for c, r in zip(cs, self.radii))

    def _dual(self, g: Point) -> Array:
        # blockwise duals only: the default would build every block's lmo too (a full SVD per spectral block)
        return _sum_terms(r * b._dual(gl) for b, gl, r in zip(self.blocks, g, self.radii))

    def _dual_lmo(self, g: Point, radius: float) -> tuple[Array, tuple]:
        total = None
        parts = []
        for b, gl, r in zip(self.blocks, g, self.radii):
            d, s = b._dual_lmo(gl, radius * r)
            total = r * d if total is None else total + r * d
            parts.append(s)
        return total, tuple(parts)

    def block_duals(self, g: Point) -> tuple:
        """The per-block contributions r_l·‖g_l‖_{l,*} whose sum is the dual norm."""
        self._validate(g, "g")
        return tuple(b._finish(r * b._dual(gl), gl, f"g[{i}]") for i, (b, gl, r) in enumerate(zip(self.blocks, g, self.radii)))


# --------------------------------------------------------------------------------------------- registry
NORMS: dict[str, type[Norm]] = {
    cls.name: cls
    for cls in (L2, L1, Linf, Lp, Frobenius, Spectral, Nuclear, Sign, ColNorm, RowNorm, BiasRMS, SpectralConv, Product)
}


def available() -> list[str]:
    """Registered geometry names."""
    return sorted(NORMS)


def get(name: str, **kwargs: Any) -> Norm:
    """Build a geometry by registry name, e.g. ``get("spectral", method="newton_schulz", steps=5)``."""
    try:
        cls = NORMS[name]
    except (KeyError, TypeError):
        raise ValueError(f"name: unknown norm {name!r}; available: {', '.join(available())}") from None
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"norm {name!r}: {exc}") from None
