"""Figures: one function per figure returning plot-ready data, and a separate matplotlib renderer.

Planned (issue "Rate and convergence figures"): measured rates against the theorems' bounds, the GGNC/uCG/SD
separation, per-step descent slack, stochastic rates over seeds, a ρ sweep, (L0,L1) estimation plots and the
Newton–Schulz accuracy curves.
"""

__distribution__ = "ggnc-theory"
