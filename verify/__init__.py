"""Checkers and estimators.

The paper's claims as runnable checks: the :class:`CheckResult` record and its one pass rule (built on
:mod:`ggnc_theory.tolerances`), per-step descent inequalities, rate-bound checks over trajectories, invariants
(step length, feasibility) and exact symbolic checks. The theorems themselves are data in
:mod:`ggnc_theory.theorems`.

:func:`check_l0l1_certificate` samples Assumption 4.2 on ≥ 10⁴ pairs of a problem (via
:mod:`problems.certify`). :mod:`verify.estimate` samples (‖∇f‖_*, L̂) pairs (secants,
interpolated secants, directional finite differences, non-Euclidean power iteration, stochastic same/different
batch) and :mod:`verify.fit` fits (L0, L1) envelopes (LP, Gluon least squares, quantile regression,
bootstrap, log-log slope, a non-(L0,L1) verdict) and compares them with certified constants.
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
from .estimate import (
    Samples,
    concat_samples,
    directional_samples,
    interpolated_secant_samples,
    power_iteration,
    power_samples,
    probe_problem,
    secant_samples,
    stochastic_secant_samples,
)
from .fit import (
    BootstrapCI,
    Comparison,
    EnvelopeFit,
    GluonFit,
    QuantileFit,
    Slope,
    Verdict,
    bootstrap,
    compare,
    diagnose,
    fit_envelope,
    fit_gluon,
    fit_quantile,
    loglog_slope,
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
    "Samples",
    "concat_samples",
    "directional_samples",
    "interpolated_secant_samples",
    "power_iteration",
    "power_samples",
    "probe_problem",
    "secant_samples",
    "stochastic_secant_samples",
    "BootstrapCI",
    "Comparison",
    "EnvelopeFit",
    "GluonFit",
    "QuantileFit",
    "Slope",
    "Verdict",
    "bootstrap",
    "compare",
    "diagnose",
    "fit_envelope",
    "fit_gluon",
    "fit_quantile",
    "loglog_slope",
]
