r"""Conversions between the paper's conventions and those of Scion, ClippedScion, Muon and modula.

The core library uses the paper's conventions everywhere; conversions happen only here, at the boundary.

* **Sign of the lmo.** The paper's lmo is the argmin (it points against g). Scion, ClippedScion, Muon and modula
  return the maximiser, i.e. ``−lmo`` (SPEC §5.1); their dual-norm statistic is ``⟨maximiser(g), g⟩``.
* **Step parameterisation.** ClippedScion computes ``x ← x − lr·min(1, S/ρ_code)·u`` with the maximiser u and
  ``S = Σ_l ⟨u_l, d_l⟩``. Against Algorithm 3 (``x ← x + γ·min(ρ, S)·lmo``) this is ``lr = γρ`` and
  ``ρ_code = ρ``; against Algorithm 4 Variant 2, ``lr = γρ`` and ``ρ_code = 4ρ`` (the factor 4 is absorbed,
  SPEC §4.1, §5.4).
* **DDP scaling.** Under DDP the code's SUM all-reduce multiplies S by the world size, so the effective threshold in
  true dual-norm units is ``ρ_code / world_size`` (SPEC §5.5).

Example:
    >>> from ggnc_theory.compat import from_clippedscion, to_clippedscion
    >>> gamma, rho = from_clippedscion(lr=0.00036, rho_code=600.0)   # the NanoGPT 124M setting
    >>> round(gamma, 12), rho
    (6e-07, 600.0)
    >>> to_clippedscion(gamma, rho, algorithm="constrained")          # Algorithm 4 absorbs the factor 4
    (0.00036, 2400.0)
"""

from __future__ import annotations

from ._backend import Array, Point, finite_positive, tree_scale
from .norms import Norm

__all__ = ["maximiser", "clip_statistic", "from_clippedscion", "to_clippedscion", "effective_threshold"]


def maximiser(norm: Norm, g: Point, radius: float = 1.0) -> Point:
    """The Scion/Muon/modula direction: argmax over the radius ball of ⟨g, s⟩ = −lmo(g, radius)."""
    return tree_scale(-1.0, norm.lmo(g, radius))


def clip_statistic(norm: Norm, d: Point) -> Array:
    """ClippedScion's S = ⟨maximiser(d), d⟩, which equals the paper's ‖d‖_* = −⟨d, lmo(d)⟩."""
    from ._backend import tree_inner

    return tree_inner(maximiser(norm, d), d)


_ALGS = ("unconstrained", "constrained")


def from_clippedscion(lr: float, rho_code: float, algorithm: str = "unconstrained") -> tuple[float, float]:
    """Paper parameters (γ, ρ) from ClippedScion's ``lr`` and threshold ``rho_code``.

    Args:
        lr: the code's learning rate (= γρ).
        rho_code: the code's threshold.
        algorithm: ``"unconstrained"`` (Algorithm 3: ρ = ρ_code) or ``"constrained"`` (Algorithm 4 Variant 2:
            ρ = ρ_code / 4).
    """
    lr = finite_positive(lr, "lr")
    rho_code = finite_positive(rho_code, "rho_code")
    if algorithm not in _ALGS:
        raise ValueError(f"algorithm must be one of {_ALGS}, got {algorithm!r}")
    rho = rho_code if algorithm == "unconstrained" else rho_code / 4.0
    return lr / rho, rho


def to_clippedscion(gamma: float, rho: float, algorithm: str = "unconstrained") -> tuple[float, float]:
    """ClippedScion's ``(lr, rho_code)`` from the paper's (γ, ρ); inverse of :func:`from_clippedscion`."""
    gamma = finite_positive(gamma, "gamma")
    rho = finite_positive(rho, "rho")
    if algorithm not in _ALGS:
        raise ValueError(f"algorithm must be one of {_ALGS}, got {algorithm!r}")
    return gamma * rho, (rho if algorithm == "unconstrained" else 4.0 * rho)


def effective_threshold(rho_code: float, world_size: int) -> float:
    """The threshold in true dual-norm units when ClippedScion SUM-reduces S over ``world_size`` ranks."""
    rho_code = finite_positive(rho_code, "rho_code")
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive integer, got {world_size!r}")
    return rho_code / world_size
