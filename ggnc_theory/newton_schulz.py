r"""Newton–Schulz iterations for the polar factor UVᵀ, with a registry of published coefficient tables.

The spectral lmo needs ``UVᵀ`` of the reduced SVD ``G = U diag(σ) Vᵀ``. Deep-learning code approximates it by an
odd polynomial iteration applied after Frobenius pre-normalisation: each step maps

    X ← a·X + b·(XXᵀ)X + c·(XXᵀ)²X,

so a singular value s is mapped to ``p(s) = a s + b s³ + c s⁵`` and the output is ``U diag(φ(σ/‖G‖_F)) Vᵀ`` with
``φ`` the composition of the step polynomials — *not exactly* UVᵀ. GGNC's clip statistic ``⟨G, NS(G)⟩`` therefore
differs from the nuclear norm ``‖G‖_{S1}`` by a table-dependent factor (SPEC §5.2, ANCHORS §5); the tests pin the
measured ratio per table and :func:`scalar_map_range` reports the range of ``φ``.

Coefficients are facts taken from the sources named in each table; the implementation is our own.

Conventions:
    * pre-normalisation divides by ``safety·‖G‖_F``; a zero matrix maps to zeros (no epsilon in the
      denominator, so the map is exactly scale-invariant, cf. NeMo Emerging-Optimizers issue 229);
    * the Gram matrix is the smaller of XXᵀ and XᵀX (tall matrices multiply on the right);
    * ``steps`` larger than the table repeats its last triple; smaller uses its first ``steps`` triples;
    * the computation runs in the input dtype (pass float32 / bfloat16 tensors for the fast path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._backend import Array, namespace

__all__ = ["NSTable", "TABLES", "get_table", "available", "newton_schulz", "scalar_map", "scalar_map_range"]

Triple = tuple[float, float, float]


@dataclass(frozen=True)
class NSTable:
    """A Newton–Schulz coefficient schedule.

    Attributes:
        name: registry name.
        coefficients: the per-step (a, b, c) triples.
        safety: pre-normalisation divides by ``safety·‖G‖_F`` (Polar Express uses 1.02).
        default_steps: number of steps used when none is given.
        source: where the coefficients come from.
    """

    name: str
    coefficients: tuple[Triple, ...]
    safety: float
    default_steps: int
    source: str

    def schedule(self, steps: int | None = None) -> tuple[Triple, ...]:
        """The triples applied for ``steps`` iterations (last triple repeated when ``steps`` exceeds the table)."""
        n = self.default_steps if steps is None else steps
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        coeffs = self.coefficients
        if n <= len(coeffs):
            return coeffs[:n]
        return coeffs + (coeffs[-1],) * (n - len(coeffs))


def _scaled(triples: Sequence[Sequence[float]], denom: float) -> tuple[Triple, ...]:
    return tuple((a / denom, b / denom, c / denom) for a, b, c in triples)


TABLES: dict[str, NSTable] = {
    t.name: t
    for t in (
        NSTable(
            name="muon",
            coefficients=((3.4445, -4.7750, 2.0315),),
            safety=1.0,
            default_steps=5,
            source="Muon quintic (Jordan et al. 2024); also Scion, ClippedScion and the Gluon code",
        ),
        NSTable(
            name="modula",
            coefficients=_scaled(
                (
                    (3955, -8306, 5008),
                    (3735, -6681, 3463),
                    (3799, -6499, 3211),
                    (4019, -6385, 2906),
                    (2677, -3029, 1162),
                    (2172, -1833, 682),
                ),
                1024.0,
            ),
            safety=1.0,
            default_steps=6,
            source="six-step table of modula's orthogonalize (attributed there to J. You)",
        ),
        NSTable(
            name="polar_express",
            coefficients=(
                (8.156554524902461, -22.48329292557795, 15.878769915207462),
                (4.042929935166739, -2.808917465908714, 0.5000178451051316),
                (3.8916678022926607, -2.772484153217685, 0.5060648178503393),
                (3.285753657755655, -2.3681294933425376, 0.46449024233003106),
                (2.3465413258596377, -1.7097828382687081, 0.42323551169305323),
            ),
            safety=1.02,
            default_steps=5,
            source="Polar Express 5-step (Amsel et al. 2025, arXiv 2505.16932), as used in modded-nanogpt",
        ),
        NSTable(
            name="quintic",
            coefficients=(
                (4.0848, -6.8946, 2.9270),
                (3.9505, -6.3029, 2.6377),
                (3.7418, -5.5913, 2.3037),
                (2.8769, -3.1427, 1.2046),
                (2.8366, -3.0525, 1.2012),
            ),
            safety=1.0,
            default_steps=5,
            source="modded-nanogpt medium-track quintic (NeMo Emerging-Optimizers 'quintic')",
        ),
        NSTable(
            name="cubic",
            coefficients=((1.5, -0.5, 0.0),),
            safety=1.0,
            default_steps=5,
            source="classical Newton–Schulz cubic (converges to UVᵀ, slowly for small singular values)",
        ),
    )
}


def available() -> list[str]:
    """Names of the registered coefficient tables."""
    return sorted(TABLES)


def get_table(table: str | NSTable) -> NSTable:
    """Look a table up by name (an :class:`NSTable` is returned unchanged)."""
    if isinstance(table, NSTable):
        return table
    try:
        return TABLES[table]
    except (KeyError, TypeError):
        raise ValueError(
            f"coefficients: unknown Newton–Schulz table {table!r}; available: {', '.join(available())}"
        ) from None


def newton_schulz(G: Array, coefficients: str | NSTable = "muon", steps: int | None = None) -> Array:
    r"""Approximate the polar factor UVᵀ of a 2-D array by a Newton–Schulz iteration.

    Args:
        G: 2-D array (any array-API back end; computed in its dtype and on its device).
        coefficients: table name from :data:`TABLES` or an :class:`NSTable`.
        steps: number of iterations (default: the table's ``default_steps``).

    Returns:
        An array of G's shape, ≈ ``U Vᵀ`` (the *maximiser* of ⟨G, ·⟩ over the spectral ball;
        the paper's lmo is its negative).
    """
    table = get_table(coefficients)
    schedule = table.schedule(steps)
    xp = namespace(G)
    if G.ndim != 2:
        raise ValueError(f"G must be a 2-D array, got shape {tuple(G.shape)}")
    # The Gram matrix is formed on the short side: XXᵀ for wide G, XᵀX for tall G (multiplying on the right
    # instead of transposing keeps every product in G's memory layout; a transposed view made each update mix
    # row- and column-major operands, about 1.5× slower at 4096×1024).
    tall = G.shape[0] > G.shape[1]
    # Divide by max|G_ij| first: ‖·‖_F squares the entries, which underflows (float32 entries below ~1e-19 give
    # ‖G‖_F = 0 and a non-zero G was returned unnormalised) or overflows (float64 entries above ~1e154).
    amax = xp.max(xp.abs(G))
    X = G / xp.where(amax > 0, amax, xp.ones_like(amax))
    fro = xp.linalg.vector_norm(X)
    denom = xp.where(fro > 0, fro * table.safety, xp.ones_like(fro))
    X = X / denom
    for a, b, c in schedule:
        if tall:
            A = X.mT @ X
            X = a * X + X @ (b * A + c * (A @ A))
        else:
            A = X @ X.mT
            X = a * X + (b * A + c * (A @ A)) @ X
    return X


def scalar_map(s: np.ndarray, coefficients: str | NSTable = "muon", steps: int | None = None) -> np.ndarray:
    """The composed singular-value map φ(s) of a table, in float64 (s is σ/‖G‖_F before the safety factor)."""
    table = get_table(coefficients)
    x = np.asarray(s, dtype=np.float64) / table.safety
    for a, b, c in table.schedule(steps):
        x2 = x * x
        x = x * (a + x2 * (b + c * x2))
    return x


def scalar_map_range(
    coefficients: str | NSTable = "muon", steps: int | None = None, lo: float = 0.01, hi: float = 1.0, n: int = 40000
) -> tuple[float, float]:
    """(min, max) of φ over ``n`` log-spaced points in ``[lo, hi]`` (ANCHORS §10 protocol)."""
    if not (0 < lo < hi):
        raise ValueError(f"lo, hi: need 0 < lo < hi, got lo={lo!r}, hi={hi!r}")
    phi = scalar_map(np.geomspace(lo, hi, n), coefficients, steps)
    return float(phi.min()), float(phi.max())
