"""Synthetic (L0,L1)-smooth test problems with certified constants, exact optima and stochastic oracles.

Planned (issue "Problem suite"): one-dimensional exemplars (|x|^p, exponential type, logistic), log-sum-exp and
softmax regression (ℓ∞ geometry), ℓp objectives in ℓ2 and ℓ∞ geometries, sums of exponentials, matrix problems in
spectral geometry (factorisation, quartic, softmax regression), and negative controls that are not
(L0,L1)-smooth. Each problem follows :class:`ggnc_theory.runner.ProblemLike`.
"""

__distribution__ = "ggnc-theory"
