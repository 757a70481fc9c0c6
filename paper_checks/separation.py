r"""Fixed-stepsize separation between Thm 4.3 (GGNC) and Thm 4.5 (uCG) — rebuttal, SPEC §3.4.

On f(x) = (L0/2)x² (L1 = 0) from x¹ = γρ/2 with fixed γ ≤ 1/L0 and ρ:

* uCG alternates x^k = ±γρ/2, so |f′(x^k)| = L0γρ/2 at every k (a floor; within Thm 4.5's bound, whose
  limit is 2L0γρ);
* GGNC converges: |f′(x^{n+1})| falls far below the floor (ratio column) and its average gradient obeys the
  corrected Thm 4.3 bound, which → 0 as n grows.

Expected: PASS on every row (the claim is confirmed when measured as stated).
"""

from __future__ import annotations

from ggnc_theory import algorithms as A
from ggnc_theory import run as run_algorithm
from problems import Quadratic1D
from verify import check_rate

from ._registry import compare, constant_along, fmt_setting, register, row

CLAIM = "separation"
L0, GAMMA, RHO = 2.0, 0.25, 1.0  # γ = 1/(2L0) ≤ 1/L0


@register(CLAIM, "rebuttal", "Fixed-step separation: uCG keeps |f′| = L0γρ/2, GGNC converges (f = L0x²/2)")
def run(quick: bool = False, seed: int = 0) -> list:
    q = Quadratic1D(L0=L0, x_start=GAMMA * RHO / 2.0)
    floor = L0 * GAMMA * RHO / 2.0
    rows = []
    for n in (10, 100) if quick else (10, 100, 1000):
        setting = fmt_setting(gamma=GAMMA, rho=RHO, n=n)
        u = run_algorithm(A.ucg(q.norm, GAMMA, RHO), q, n)
        rows.append(
            row(
                CLAIM + "/ucg-floor",
                "rebuttal",
                q.name,
                setting,
                constant_along("uCG: |f′(x^k)| = L0γρ/2 for every k", u.grad_dual_norm, floor),
                extra=[check_rate(u, "thm-4.5")],
                info={"floor": floor, "final_grad": u.grad_dual_norm_final},
            )
        )
        g = run_algorithm(A.ggnc(q.norm, GAMMA, RHO), q, n)
        rows.append(
            row(
                CLAIM + "/ggnc-converges",
                "rebuttal",
                q.name,
                setting,
                compare("GGNC: |f′(x^{n+1})| below the uCG floor L0γρ/2", g.grad_dual_norm_final, floor),
                extra=[check_rate(g, "thm-4.3-corrected")],
                info={"floor": floor, "clipped_fraction": g.clipped_fraction},
            )
        )
    return rows
