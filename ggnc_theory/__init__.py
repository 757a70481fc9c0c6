"""ggnc-theory core library: norm geometries, the paper's algorithms, and one runner.

Reference: Pethick, Xie, Erdogan, Antonakopoulos, Silveti-Falls, Cevher, "Generalized Gradient Norm Clipping &
Non-Euclidean (L0,L1)-Smoothness", NeurIPS 2025 (arXiv 2506.01913). The lmo is the **argmin** (paper sign).

Example:
    >>> import numpy as np
    >>> from ggnc_theory import norms, algorithms
    >>> alg = algorithms.ggnc(norms.Linf(), gamma=0.5, rho=1.0)
    >>> x = np.array([1.0, -2.0]); state = alg.init(x)
    >>> x_next, state, info = alg.step(x, 2 * x, state)   # gradient of ‖x‖²
    >>> float(info.dual_norm), float(info.eta), bool(info.clipped)
    (6.0, 1.0, True)
    >>> x_next.tolist()                                    # x − γ·min(ρ, ‖g‖₁)·sign(g)
    [0.5, -1.5]
"""

from . import algorithms, compat, newton_schulz, norms, theorems, tolerances
from ._version import __version__

__distribution__ = "ggnc-theory"
from .algorithms import Algorithm, State, StepInfo
from .norms import Norm
from .runner import ProblemLike, Trajectory, run

__all__ = [
    "__version__",
    "algorithms",
    "compat",
    "newton_schulz",
    "norms",
    "theorems",
    "tolerances",
    "Algorithm",
    "State",
    "StepInfo",
    "Norm",
    "ProblemLike",
    "Trajectory",
    "run",
]
