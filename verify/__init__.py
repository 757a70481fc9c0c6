"""Checkers and estimators.

The paper's claims as runnable checks: the :class:`CheckResult` record and its one pass rule (built on
:mod:`ggnc_theory.tolerances`), per-step descent inequalities, rate-bound checks over trajectories, invariants
(step length, feasibility) and exact symbolic checks. The theorems themselves are data in
:mod:`ggnc_theory.theorems`.

Planned (issue "empirical (L0,L1) estimation"): (L0,L1) certificate sampling, smoothness samplers and envelope
fitting.
"""

__distribution__ = "ggnc-theory"

from ._result import MODES, CheckResult
from .checkers import (
    SYMBOLIC_CLAIMS,
    check_descent,
    check_feasibility,
    check_hypothesis_symbolic,
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
    "check_rate",
    "check_step_length",
]
