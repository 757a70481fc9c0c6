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
* ``prop-4.1``, ``thm-4.5`` (theorem) — uCG rates under L- and (L0,L1)-smoothness;
* ``thm-4.7`` (theorem) — deterministic S3CG, both variants: Case I/II descent (printed Case II drops a ½),
  rate 2β vs 2√2β (erratum 2), feasibility ‖x^k‖ ≤ β;
* ``limits`` (paper) — ρ → ∞ is SD, ρ → 0 with γρ fixed is uCG, S3CG without the x-term is GGNC, S3CG
  Variant 1 with γ = 1/L, ρ = L is the Frank–Wolfe short step;
* ``trust-region`` (paper) — the GGNC step is the trust-region argmin with radius γρ, not ρ (erratum 8; cvxpy);
* ``poster-sd`` (poster) — steepest descent with γ = 1/L: √(2LΔ/n);
* ``unification`` (poster) — RMSProp/Adam with β2 → 0 give sign descent, Shampoo without accumulation gives
  spectral descent, a rank-1 gradient makes spectral descent Frobenius descent (reading notes, erratum 15);
* ``weight-decay`` (poster) — weight decay as Frank–Wolfe keeps ‖x^k‖ ≤ β; S3CG is decoupled weight decay
  with coefficient γη_k;
* ``model-truncation`` (poster) — the truncated-model step is the argmin of its truncated model (cvxpy);
* ``thm-4.9`` (theorem) — stochastic GGNC over 20 seeds, printed vs corrected bound, log-log slope with a
  bootstrap CI against n^{−1/4};
* ``thm-4.11``, ``thm-b.5`` (theorem) — stochastic S3CG Variants 1 and 2, printed vs the proof's form (32), slope;
* ``lemma-b.1`` (lemma) — the momentum error recursion over seeds, one-sided t-bounds;
* ``lemma-b.2`` (lemma) — the uniform bound B against the initial error E‖λ¹‖² (erratum 5);
* ``lemma-b.3`` (lemma) — the S3CG momentum error recursion over seeds, printed L²β vs the proof's L²β²
  (erratum 6; a drift-dominated witness with β = 16 violates the printed form);
* ``lemma-b.4`` (lemma) — the uniform bound Λ_n² against the initial error E‖λ¹‖² (erratum 5).

Example:
    >>> import paper_checks
    >>> rows = paper_checks.get("separation").run(quick=True, seed=0)
    >>> sorted({r.verdict for r in rows})
    ['PASS']
"""

__distribution__ = "ggnc-theory"

# Importing a claim module registers its claims; the order here is the report order.
from . import (  # noqa: F401
    table1_identities,
    thm_4_3,
    thm_4_3_special,
    separation,
    ucg_rates,
    thm_4_7,
    limits,
    trust_region,
    sd_rate,
    unification,
    weight_decay,
    model_truncation,
    stochastic,
    lemma_b1,
    lemma_b3,
)
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
