r"""The paper's claims as runnable checks, run by ``ggnc-theory check``.

One thin module per claim wires problems, algorithms, theorems (:mod:`ggnc_theory.theorems`) and checkers
(:mod:`verify`) together, with no logic of its own; :mod:`paper_checks._registry` holds the registry, the
:class:`Row` record and the one verdict rule (PASS / ERRATUM / FAIL / SKIP, see :func:`verdict`).

Registered claims (``available()``, in report order):

* ``table1-identities`` (table) — ⟨g, lmo(g)⟩ = −‖g‖_*, ‖lmo(g)‖ = 1, ⟨g, g♯⟩ = ‖g♯‖² = ‖g‖_*² for every
  geometry incl. a Product; the product dual Σ r_l‖g_l‖_* vs the text's Σ (1/r_l)‖g_l‖_* (erratum 7);
* ``thm-4.3`` (theorem) — GGNC per-step descent and rate, printed √(Δ/(γn)) vs corrected √(2Δ/(γn));
* ``thm-4.3-special`` (theorem) — ρ = L0/L1, γ = 1/L0 violates the hypothesis (erratum 1, γ = 1/(2L0));
* ``separation`` (rebuttal) — fixed steps: uCG keeps |f′| = L0γρ/2 on (L0/2)x², GGNC converges;
* ``prop-4.1``, ``thm-4.5`` (theorem) — uCG rates under L- and (L0,L1)-smoothness.

Example:
    >>> import paper_checks
    >>> rows = paper_checks.get("separation").run(quick=True, seed=0)
    >>> sorted({r.verdict for r in rows})
    ['PASS']

Not yet covered: Thm 4.7 (S3CG), the stochastic theorems 4.9/4.11/B.5, Lemmas B.1–B.4, poster SD, figures.
"""

__distribution__ = "ggnc-theory"

from . import separation, table1_identities, thm_4_3, thm_4_3_special, ucg_rates  # noqa: F401  (registers)
from ._registry import (
    CLAIMS,
    ERRATUM,
    FAIL,
    PASS,
    SKIP,
    SOURCES,
    VERDICTS,
    Claim,
    Row,
    available,
    get,
    verdict,
)

__all__ = [
    "CLAIMS",
    "ERRATUM",
    "FAIL",
    "PASS",
    "SKIP",
    "SOURCES",
    "VERDICTS",
    "Claim",
    "Row",
    "available",
    "get",
    "verdict",
]
