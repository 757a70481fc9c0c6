r"""Table 1 (Section 3.1) and SPEC §1.1: lmo, dual-norm and sharp-operator identities for every geometry.

For random draws g (seeded): ⟨g, lmo(g)⟩ = −‖g‖_*, ‖lmo(g)‖ = 1, ⟨g, g♯⟩ = ‖g♯‖² = ‖g‖_*², one row per
registered geometry (exact SVD for the spectral ones), plus the product max-norm dual Σ_l r_l‖g_l‖_{l,*}
against the text's Σ_l (1/r_l)‖g_l‖_{l,*} (SPEC §8 erratum 7). Expected: PASS, and ERRATUM for the printed
product dual.
"""

from __future__ import annotations

import numpy as np

from ggnc_theory import norms as N

from ._registry import identity_results, register, row

CLAIM = "table1-identities"

#: (label, geometry, shape of a draw; a tuple of shapes for a Product)
CASES = (
    ("l2", N.L2(), (7,)),
    ("l1", N.L1(), (7,)),
    ("linf", N.Linf(), (7,)),
    ("lp(p=3)", N.Lp(p=3.0), (6,)),
    ("frobenius", N.Frobenius(), (4, 3)),
    ("spectral", N.Spectral(), (4, 3)),
    ("spectral(rms)", N.Spectral(rms=True), (3, 5)),
    ("nuclear", N.Nuclear(), (4, 3)),
    ("sign", N.Sign(), (4, 3)),
    ("colnorm", N.ColNorm(), (4, 3)),
    ("rownorm", N.RowNorm(), (4, 3)),
    ("bias_rms", N.BiasRMS(), (6,)),
    ("spectral_conv", N.SpectralConv(), (3, 2, 3, 3)),
    (
        "product(linf, spectral(rms), l2; r=2, 0.5, 3)",
        N.Product((N.Linf(), N.Spectral(rms=True), N.L2()), radii=(2.0, 0.5, 3.0)),
        ((5,), (3, 4), (4,)),
    ),
)


def _draws(shape, n: int, rng: np.random.Generator) -> list:
    if isinstance(shape[0], tuple):
        return [tuple(rng.standard_normal(s) for s in shape) for _ in range(n)]
    return [rng.standard_normal(shape) for _ in range(n)]


@register(CLAIM, "table", "Table 1: ⟨g,lmo(g)⟩ = −‖g‖_*, ‖lmo(g)‖ = 1, sharp identities, product dual")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    n = 20 if quick else 200
    rows = []
    for label, norm, shape in CASES:
        res = identity_results(norm, _draws(shape, n, rng), label)
        rows.append(
            row(
                CLAIM,
                "table",
                label,
                f"{n} random draws",
                res["lmo"],
                extra=[res["unit"], res["sharp-inner"], res["sharp-norm"]],
            )
        )
        if "product-dual" in res:
            rows.append(
                row(
                    CLAIM + "/product-dual",
                    "table",
                    label,
                    f"{n} random draws",
                    res["product-dual-as-printed"],
                    res["product-dual"],
                )
            )
    return rows
