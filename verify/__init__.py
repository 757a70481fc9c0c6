"""Checkers and estimators.

Planned (issues "paper's claims as runnable checks" and "empirical (L0,L1) estimation"): the ``CheckResult``
record and its one comparison rule (from :mod:`ggnc_theory.tolerances`), per-step descent inequalities, rate-bound
checks over trajectories, invariants, (L0,L1) certificate sampling, smoothness samplers and envelope fitting.
"""

__distribution__ = "ggnc-theory"
