"""The one tolerance rule of ggnc-theory, dtype-aware.

Every numerical comparison in the library, the checkers and the tests goes through this module, so a
tolerance is never invented locally.

* A non-tight bound ``measured ≤ bound`` passes when ``measured <= bound + atol + rtol·|bound|``.
* A tight identity ``a ≈ b`` passes when ``|a − b| <= atol + rtol·max(|a|, |b|)``.

``rtol`` defaults to ``factor · sqrt(eps(dtype))`` (scipy's convention): 1.5e-8 for float64, 3.5e-4 for
float32, about 0.09 for bfloat16. ``atol`` defaults to ``rtol · scale`` where ``scale`` is the magnitude of
the quantities compared (defaults to 1), so values near zero are compared on the scale of their inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Tolerance", "eps", "tolerance", "leq", "close"]

# bfloat16 first: its name also ends with "float16".
_EPS_BY_NAME = {
    "bfloat16": 2.0**-7,
    "float64": float(np.finfo(np.float64).eps),
    "float32": float(np.finfo(np.float32).eps),
    "float16": float(np.finfo(np.float16).eps),
}


def eps(dtype: Any = "float64") -> float:
    """Machine epsilon of ``dtype`` (NumPy or torch dtype, or its name)."""
    name = str(dtype).replace("torch.", "").replace("<class 'numpy.", "").rstrip("'>")
    for key, value in _EPS_BY_NAME.items():
        if name.endswith(key):
            return value
    raise ValueError(f"dtype: no tolerance rule for {dtype!r} (floating dtypes only)")


@dataclass(frozen=True)
class Tolerance:
    """A relative and absolute tolerance pair."""

    rtol: float
    atol: float

    def leq(self, measured: float, bound: float) -> bool:
        """``measured ≤ bound`` up to this tolerance (for non-tight bounds)."""
        if not (math.isfinite(measured) and not math.isnan(bound)):
            return False
        return measured <= bound + self.atol + self.rtol * abs(bound)

    def close(self, a: float, b: float) -> bool:
        """``a ≈ b`` up to this tolerance (for tight identities)."""
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        return abs(a - b) <= self.atol + self.rtol * max(abs(a), abs(b))


def tolerance(dtype: Any = "float64", *, factor: float = 1.0, scale: float = 1.0) -> Tolerance:
    """The default tolerance for ``dtype``.

    Args:
        dtype: floating dtype of the computation.
        factor: multiplies ``sqrt(eps)``; use > 1 for quantities that accumulate many roundings
            (an iterative method, a long sum), and say why at the call site.
        scale: magnitude of the compared quantities; ``atol = rtol·scale``.
    """
    rtol = factor * math.sqrt(eps(dtype))
    return Tolerance(rtol=rtol, atol=rtol * abs(scale))


def leq(measured: float, bound: float, dtype: Any = "float64", *, factor: float = 1.0, scale: float = 1.0) -> bool:
    """Shorthand for ``tolerance(dtype, factor=factor, scale=scale).leq(measured, bound)``."""
    return tolerance(dtype, factor=factor, scale=scale).leq(measured, bound)


def close(a: float, b: float, dtype: Any = "float64", *, factor: float = 1.0, scale: float = 1.0) -> bool:
    """Shorthand for ``tolerance(dtype, factor=factor, scale=scale).close(a, b)``."""
    return tolerance(dtype, factor=factor, scale=scale).close(a, b)
