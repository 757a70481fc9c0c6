"""Checkers and estimators.

The paper's claims as runnable checks: the :class:`CheckResult` record and its one pass rule (built on
:mod:`ggnc_theory.tolerances`), per-step descent inequalities, rate-bound checks over trajectories, invariants
(step length, feasibility) and exact symbolic checks. The theorems themselves are data in
:mod:`ggnc_theory.theorems`.

:func:`check_l0l1_certificate` samples Assumption 4.2 on ≥ 10⁴ pairs of a problem (via
:mod:`problems.certify`). Planned (issue "empirical (L0,L1) estimation"): smoothness samplers and envelope
fitting.
"""

__distribution__ = "ggnc-theory"

from ._result import MODES, CheckResult
from .checkers import (
    SYMBOLIC_CLAIMS,
    check_descent,
    check_feasibility,
    check_hypothesis_symbolic,
    check_l0l1_certificate,
    check_rate,
    check_step_length,
)

__all__ = [
    "MODES",
    "SYMBOLIC_CLAIMS",
    "CheckResult",
    "check_descent",
    "check_feasibility",
    "check_hypothesis_symbolic",
    "check_l0l1_certificate",
    "check_rate",
    "check_step_length",
]
