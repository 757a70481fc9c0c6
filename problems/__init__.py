r"""Synthetic (L0,L1)-smooth test problems with certified constants, exact optima and stochastic oracles.

Every problem is a frozen :class:`Problem` (it follows :class:`ggnc_theory.runner.ProblemLike`) carrying the
geometry its constants refer to, the constants (L0, L1) of **Assumption 4.2 exactly as printed** (first-order
form, gradient norm at the first argument, pairs with ‖x − y‖ ≤ 1/L1), the global smoothness constant L (or
None), inf f (closed form or a cvxpy solve), its hypotheses and provenance. The families' docstrings derive
the constants; :mod:`problems.certify` checks them on ≥ 10⁴ sampled pairs.

Families (``problems.available()``):

* one-dimensional exemplars: ``abs_power`` (|x|^p), ``exp`` (exp(a·x)), ``logistic``, each with its whole
  trade-off curve ``problem.tradeoff(L1, form)`` (sympy re-derivation: :func:`problems.scalar.derive`);
* ``lse`` (ℓ∞); ``softmax_regression`` (spectral or ℓ∞, matrix parameter);
* ``lp_norm`` and ``lp_regression`` in ℓ2 and ℓ∞ (the ℓ∞ constants grow with the dimension);
* ``sum_exp`` (inf not attained);
* ``quartic`` and ``matrix_factorization`` (V fixed) in the spectral geometry;
* negative controls ``neg_log``, ``exp_square``, ``matrix_factorization_uv`` (not (L0,L1)-smooth).

Not registered (plain records, L1 = 0): :class:`Quadratic1D` and :class:`ShiftedQuadratic`, the hand-checkable
instances of the separation, Thm 4.3 and Thm 4.7 checks (:mod:`problems.quadratic`).

Example:
    >>> import numpy as np, problems
    >>> p = problems.get("lp_norm", p=4, d=20, geometry="linf", L1=1.0)
    >>> round(p.L0, 2), p.hessian_constants[0]          # Assumption 4.2 vs Hessian form (ANCHORS: 80)
    (233.14, 80.0)
    >>> float(p.f(np.ones(20)))
    5.0
"""

__distribution__ = "ggnc-theory"

from . import certify, controls, matrix, quadratic, scalar, vector
from ._base import FORMS, HYPOTHESES, DomainError, Kernel, Problem
from .certify import Certificate
from .quadratic import Quadratic1D, ShiftedQuadratic
from .registry import FAMILIES, Family, available, describe, get, table, table_rows

__all__ = [
    "__distribution__",
    "Problem",
    "Kernel",
    "DomainError",
    "HYPOTHESES",
    "FORMS",
    "FAMILIES",
    "Family",
    "Certificate",
    "Quadratic1D",
    "ShiftedQuadratic",
    "available",
    "get",
    "describe",
    "table",
    "table_rows",
    "certify",
    "controls",
    "matrix",
    "quadratic",
    "scalar",
    "vector",
]
