"""One module per claim of the paper, each returning structured check results.

Planned (issue "paper's claims as runnable checks"): thin modules that only wire problems, algorithms, theorems
and checkers together (no logic of their own), run by ``ggnc-theory check``.
"""

__distribution__ = "ggnc-theory"
