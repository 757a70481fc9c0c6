r"""Two small analytic quadratics in the ℓ2 geometry, used where a claim needs an exact, hand-checkable instance.

* :class:`Quadratic1D` — f(x) = (L0/2)·x² on ℝ: the fixed-stepsize separation (SPEC §3.4) and the n = 1
  counterexample to the printed first term of Thm 4.3.
* :class:`ShiftedQuadratic` — f(x) = (L/2)·‖x − c‖₂², optionally with the additive Gaussian oracle of
  variance σ²: the Thm 4.7 witness, the poster's SD rate and the drift witness of Lemma B.3 (erratum 6).

Both follow :class:`ggnc_theory.runner.ProblemLike` with (L0, L1) = (L, 0). They are not registered families
(``problems.get``): with L1 = 0 and a constant curvature there is nothing for the certification sampler or the
estimators to find, so they are plain records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ggnc_theory.norms import L2, Norm

__all__ = ["Quadratic1D", "ShiftedQuadratic"]


@dataclass(frozen=True)
class Quadratic1D:
    r"""f(x) = (L0/2)·x² on ℝ (ℓ2 geometry): (L0, L1) = (L0, 0), L = L0, f⋆ = 0.

    The instance of the fixed-stepsize separation (SPEC §3.4) and of the n = 1 counterexample to the printed
    first term of Thm 4.3 (theorems ``thm-4.3`` note). Follows :class:`ggnc_theory.runner.ProblemLike`.
    """

    L0: float = 1.0
    x_start: float = 1.0
    name: str = "quadratic_1d"

    @property
    def norm(self) -> Norm:
        return L2()

    @property
    def x0(self) -> np.ndarray:
        return np.array([self.x_start], dtype=np.float64)

    @property
    def L1(self) -> float:
        return 0.0

    @property
    def L(self) -> float:
        return self.L0

    @property
    def f_star(self) -> float:
        return 0.0

    def f(self, x):
        return 0.5 * self.L0 * float(np.sum(np.asarray(x) ** 2))

    def grad(self, x):
        return self.L0 * np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class ShiftedQuadratic:
    r"""f(x) = (L/2)·‖x − c‖₂² on ℝ^d (ℓ2 geometry): L-smooth with exact curvature L in every direction,
    f⋆ = 0 at c. The Thm 4.7 witness: x¹ on the boundary of βD and c ∈ βD close to it. Follows
    :class:`ggnc_theory.runner.ProblemLike`; ``stochastic_grad`` is ∇f(x) + ξ with ξ ~ N(0, (σ²/d)·I), so
    E‖ξ‖₂² = σ² exactly (Assumption 4.8 with equality).
    """

    L: float = 1.0
    center: tuple[float, ...] = (0.0,)
    x_start: tuple[float, ...] = (1.0,)
    name: str = "shifted_quadratic"
    sigma2: float = 0.0

    @property
    def norm(self) -> Norm:
        return L2()

    @property
    def x0(self) -> np.ndarray:
        return np.array(self.x_start, dtype=np.float64)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.center),)

    @property
    def L0(self) -> float:
        return self.L

    @property
    def L1(self) -> float:
        return 0.0

    @property
    def f_star(self) -> float:
        return 0.0

    def f(self, x):
        r = np.asarray(x, dtype=np.float64) - np.asarray(self.center)
        return 0.5 * self.L * float(np.sum(r * r))

    def grad(self, x):
        return self.L * (np.asarray(x, dtype=np.float64) - np.asarray(self.center))

    def stochastic_grad(self, x, rng: np.random.Generator):
        g = self.grad(x)
        return g + math.sqrt(self.sigma2 / g.size) * rng.standard_normal(g.shape)
