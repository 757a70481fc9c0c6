"""Tiny array-API test problems for the core tests (the full problem suite lives in ``problems/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ggnc_theory import norms
from ggnc_theory._backend import like, namespace


@dataclass(frozen=True)
class Quadratic:
    """f(x) = ½ Σ a_i x_i² with a > 0; L = max a in ℓ2; stochastic oracle adds N(0, σ²/d·I) noise."""

    a: np.ndarray
    x0: Any
    norm: norms.Norm = field(default_factory=norms.L2)
    sigma2: float = 1.0
    name: str = "toy-quadratic"

    def f(self, x):
        xp = namespace(x)
        return 0.5 * xp.sum(like(self.a, x) * x * x)

    def grad(self, x):
        return like(self.a, x) * x

    def stochastic_grad(self, x, rng: np.random.Generator):
        noise = rng.standard_normal(tuple(x.shape)) * np.sqrt(self.sigma2 / x.shape[0])
        return self.grad(x) + like(noise, x)


@dataclass(frozen=True)
class LogSumExp:
    """f(x) = log Σ exp(x_i) (ℓ∞ geometry: L0 = 1, L1 = 0); inf f = −∞ is not attained, so add ½μ‖x‖²."""

    x0: Any
    mu: float = 0.1
    norm: norms.Norm = field(default_factory=norms.Linf)
    name: str = "toy-lse"

    def f(self, x):
        xp = namespace(x)
        m = xp.max(x)
        return m + xp.log(xp.sum(xp.exp(x - m))) + 0.5 * self.mu * xp.sum(x * x)

    def grad(self, x):
        xp = namespace(x)
        e = xp.exp(x - xp.max(x))
        return e / xp.sum(e) + self.mu * x


@dataclass(frozen=True)
class BlockQuadratic:
    """f(W1, W2) = ½‖W1 − M1‖_F² + ½‖W2 − M2‖_F² on a block point (for Product geometries)."""

    M: tuple
    x0: tuple
    norm: norms.Norm
    name: str = "toy-block-quadratic"

    def f(self, x):
        total = 0.0
        for xi, mi in zip(x, self.M):
            xp = namespace(xi)
            total = total + 0.5 * xp.sum((xi - like(mi, xi)) ** 2)
        return total

    def grad(self, x):
        return tuple(xi - like(mi, xi) for xi, mi in zip(x, self.M))


@dataclass(frozen=True)
class Huber:
    """f(x) = L·Σ_i H_c(x_i), H_c(t) = t²/2 for |t| ≤ c, c|t| − c²/2 otherwise.

    L-smooth in ℓ2 (L0 = L, L1 = 0), f⋆ = 0.

    From x¹ = n·c (1-D), GD with γ = 1/L moves by c per step with constant gradient L·c for n steps: the
    summed descent lemma is then nearly tight, which exposes the first term of Thm 4.3 as printed.
    """

    x0: Any
    L: float = 1.0
    c: float = 1.0
    norm: norms.Norm = field(default_factory=norms.L2)
    name: str = "toy-huber"

    def f(self, x):
        xp = namespace(x)
        a = xp.abs(x)
        h = xp.where(a <= self.c, 0.5 * x * x, self.c * a - 0.5 * self.c * self.c)
        return self.L * xp.sum(h)

    def grad(self, x):
        xp = namespace(x)
        c = self.c
        return self.L * xp.where(x > c, c + 0.0 * x, xp.where(x < -c, -c + 0.0 * x, x))


@dataclass(frozen=True)
class ShiftedQuadratic:
    """f(x) = ½ Σ a_i (x_i − m_i)², whose minimiser m may lie outside the ball of S3CG / Frank–Wolfe.

    The stochastic oracle adds N(0, σ²/d·I) noise (E‖noise‖₂² = σ²).
    """

    a: np.ndarray
    m: np.ndarray
    x0: Any
    norm: norms.Norm = field(default_factory=norms.L2)
    sigma2: float = 1.0
    name: str = "toy-shifted-quadratic"

    def f(self, x):
        xp = namespace(x)
        r = x - like(self.m, x)
        return 0.5 * xp.sum(like(self.a, x) * r * r)

    def grad(self, x):
        return like(self.a, x) * (x - like(self.m, x))

    def stochastic_grad(self, x, rng: np.random.Generator):
        noise = rng.standard_normal(tuple(x.shape)) * np.sqrt(self.sigma2 / x.shape[0])
        return self.grad(x) + like(noise, x)


@dataclass(frozen=True)
class ZigZag:
    """A 1-D L-smooth even function on which GD with γ = 1/L keeps |f′| = m at x¹, …, x^{n+1}.

    With ℓ = m/L: F(y) = Ly²/2 on [0, ℓ]; on each further segment of length ℓ, F′ dips linearly from m to m/2
    and back to m (slopes ∓L), so F′ is L-Lipschitz and every GD step (length ℓ) ends where F′ = m again.
    From x¹ = (n+1)ℓ: Δ = mℓ/2 + n·(3/4)mℓ (SPEC-independent construction, used to test Thm 4.3's constant).
    """

    x0: Any
    L: float = 1.0
    m: float = 1.0
    norm: norms.Norm = field(default_factory=norms.L2)
    name: str = "toy-zigzag"

    def _parts(self, x):
        xp = namespace(x)
        ell = self.m / self.L
        y = xp.abs(x)
        j = xp.floor((y - ell) / ell)
        t = y - ell - j * ell
        return xp, ell, y, j, t

    def f(self, x):
        xp, ell, y, j, t = self._parts(x)
        m, L = self.m, self.L
        dip = xp.where(t <= ell / 2, t * t / 2, ell * ell / 4 - (ell - t) ** 2 / 2)  # ∫_0^t min(s, ℓ − s) ds
        outer = L * ell * ell / 2 + j * 0.75 * m * ell + m * t - L * dip
        return xp.sum(xp.where(y <= ell, L * y * y / 2, outer))

    def grad(self, x):
        xp, ell, y, j, t = self._parts(x)
        inner = self.L * y
        outer = self.m - self.L * xp.minimum(t, ell - t)
        return xp.sign(x) * xp.where(y <= ell, inner, outer)
