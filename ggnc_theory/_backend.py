"""Array-backend helpers: the only place that knows which array library is in use.

All numerics in :mod:`ggnc_theory` are written once against the Python array API through
``array-api-compat``. NumPy is the reference back end; torch tensors (CPU or CUDA) go through the same code
and stay on their device. torch is never imported here unless the caller already passed a torch tensor.

A *point* of the optimisation space is either one array or, for block geometries such as
:class:`ggnc_theory.norms.Product`, a tuple of arrays. The ``tree_*`` helpers apply the vector-space
operations to both forms, so algorithms are written once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Union

import array_api_compat
import numpy as np

Array = Any
"""Any array-API array (NumPy ``ndarray``, ``torch.Tensor``, ...)."""

Point = Union[Array, tuple]
"""One array, or a tuple of arrays (one per block of a product geometry)."""

__all__ = [
    "Array",
    "Point",
    "namespace",
    "device_of",
    "backend_name",
    "const",
    "to_float",
    "to_numpy",
    "check_finite",
    "NonFiniteError",
    "is_block",
    "tree_map",
    "tree_add",
    "tree_scale",
    "tree_axpy",
    "tree_inner",
    "tree_all_finite",
    "tree_to_numpy",
    "like",
    "quiet_float_errors",
]


def is_block(x: Any) -> bool:
    """True if ``x`` is a block point (a list or tuple of arrays) rather than a single array."""
    return isinstance(x, (tuple, list))


def _leaves(x: Point) -> list:
    return list(x) if is_block(x) else [x]


def namespace(*xs: Point) -> Any:
    """The array-API namespace of the arrays in ``xs`` (block points are flattened)."""
    leaves = [leaf for x in xs for leaf in _leaves(x)]
    return array_api_compat.array_namespace(*leaves)


def device_of(x: Point) -> Any:
    """Device of ``x`` (of its first block for block points)."""
    return array_api_compat.device(_leaves(x)[0])


def backend_name(x: Point) -> str:
    """``"numpy"``, ``"torch"`` or the namespace's module name, for metadata."""
    leaf = _leaves(x)[0]
    if array_api_compat.is_numpy_array(leaf):
        return "numpy"
    if array_api_compat.is_torch_array(leaf):
        return "torch"
    return namespace(leaf).__name__


def const(value: float, like: Array) -> Array:
    """A 0-D array holding ``value`` with the dtype and device of ``like``."""
    xp = array_api_compat.array_namespace(like)
    return xp.asarray(value, dtype=like.dtype, device=array_api_compat.device(like))


def to_float(x: Array) -> float:
    """Move a 0-D array (or Python number) to the host as a Python float."""
    if isinstance(x, (int, float, np.floating, np.integer, bool, np.bool_)):
        return float(x)
    return float(x.item()) if hasattr(x, "item") else float(x)


def to_numpy(x: Array) -> np.ndarray:
    """Copy an array to a host NumPy array (torch tensors are detached and moved to the CPU)."""
    if isinstance(x, np.ndarray):
        return np.array(x, copy=True)
    if array_api_compat.is_torch_array(x):
        return x.detach().to("cpu").numpy().copy()
    return np.asarray(x).copy()


def tree_to_numpy(x: Point) -> np.ndarray | tuple:
    """:func:`to_numpy` applied to a point (blockwise for block points)."""
    if is_block(x):
        return tuple(to_numpy(leaf) for leaf in x)
    return to_numpy(x)


def like(x_np: np.ndarray | Sequence, reference: Point) -> Point:
    """Move host data to the namespace, dtype and device of ``reference`` (blockwise if needed)."""
    if is_block(reference):
        if not is_block(x_np) or len(x_np) != len(reference):
            raise ValueError("x: expected a block point with the same number of blocks as the reference")
        return tuple(like(a, r) for a, r in zip(x_np, reference))
    xp = array_api_compat.array_namespace(reference)
    return xp.asarray(np.asarray(x_np), dtype=reference.dtype, device=array_api_compat.device(reference))


class NonFiniteError(ValueError):
    """An input array holds a NaN or an infinity (a ``ValueError`` naming the argument)."""


def check_finite(x: Point, name: str) -> None:
    """Raise :class:`NonFiniteError` naming ``name`` if ``x`` holds a NaN or an infinity."""
    if not tree_all_finite(x):
        raise NonFiniteError(f"{name}: input contains NaN or infinity")


def tree_all_finite(x: Point) -> bool:
    """True if every entry of every block is finite (one host synchronisation)."""
    for leaf in _leaves(x):
        xp = array_api_compat.array_namespace(leaf)
        # One reduction first: a NaN or ±inf anywhere makes the sum non-finite. Only then (or when finite
        # entries overflow the sum) scan elementwise — the common case costs one pass and no temporary.
        with quiet_float_errors():
            total = xp.sum(leaf)
        if math.isfinite(to_float(total)):
            continue
        if not bool(xp.all(xp.isfinite(leaf))):
            return False
    return True


def tree_map(fn, *xs: Point) -> Point:
    """Apply ``fn`` leafwise; the result has the structure of ``xs[0]``."""
    if is_block(xs[0]):
        n = len(xs[0])
        for x in xs[1:]:
            if not is_block(x) or len(x) != n:
                raise ValueError("block points must have the same number of blocks")
        return tuple(fn(*leaves) for leaves in zip(*xs))
    return fn(*xs)


def tree_add(x: Point, y: Point) -> Point:
    """x + y."""
    return tree_map(lambda a, b: a + b, x, y)


def tree_scale(c: Any, x: Point) -> Point:
    """c·x for a scalar or 0-D array ``c``."""
    return tree_map(lambda a: c * a, x)


def tree_axpy(c: Any, x: Point, y: Point) -> Point:
    """c·x + y."""
    return tree_map(lambda a, b: c * a + b, x, y)


def tree_inner(x: Point, y: Point) -> Array:
    """Euclidean inner product ⟨x, y⟩ = Σ x_i·y_i over all entries of all blocks, as a 0-D array."""
    total = None
    for a, b in zip(_leaves(x), _leaves(y)):
        xp = array_api_compat.array_namespace(a, b)
        term = xp.sum(a * b)
        total = term if total is None else total + term
    return total


def quiet_float_errors():
    """Context in which floating-point exceptions of intermediate results (overflow, underflow, 0/0, inf/inf)
    raise no warning — NumPy's ``errstate``; other back ends do not warn. Used only where the caller checks the
    result itself and raises a clear error (or repairs it), so a warning would be noise."""
    return np.errstate(all="ignore")


def finite_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """Validate a hyperparameter: a finite real number > 0 (or ≥ 0). Returns it as a float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if v < 0 or (v == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return v
