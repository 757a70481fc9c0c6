"""Boundary conversions to the Scion / ClippedScion conventions (SPEC §4.1, §5)."""

from __future__ import annotations

import numpy as np
import pytest

from ggnc_theory import algorithms as A
from ggnc_theory import compat, norms
from ggnc_theory.tolerances import tolerance

TOL = tolerance("float64", factor=10.0)


@pytest.mark.parametrize("norm", [norms.L2(), norms.Linf(), norms.Spectral(), norms.Sign()], ids=repr)
def test_maximiser_is_minus_lmo_and_statistic_is_dual(norm):
    rng = np.random.default_rng(0)
    g = rng.standard_normal((4, 3))
    u = compat.maximiser(norm, g, 2.0)
    assert np.allclose(u, -np.asarray(norm.lmo(g, 2.0)), rtol=0, atol=0)
    assert TOL.close(float(compat.clip_statistic(norm, g)), float(norm.dual(g)))


def test_clippedscion_update_equals_algorithm_3():
    """x ← x − lr·min(1, S/ρ_code)·u (the code) equals GGNC with γ = lr/ρ, ρ = ρ_code (Algorithm 3)."""
    rng = np.random.default_rng(1)
    P = norms.Product((norms.Spectral(rms=True), norms.Sign()), (50.0, 3000.0))
    x = (rng.standard_normal((6, 4)), rng.standard_normal((3, 6)))
    lr, rho_code = 0.00036, 600.0
    for scale in (1e-3, 1.0, 1e3):
        d = tuple(scale * rng.standard_normal(a.shape) for a in x)
        u = compat.maximiser(P, d)
        S = float(compat.clip_statistic(P, d))
        code = tuple(xl - lr * min(1.0, S / rho_code) * ul for xl, ul in zip(x, u))
        gamma, rho = compat.from_clippedscion(lr, rho_code)
        alg = A.ggnc(P, gamma, rho)
        ours, _, _ = alg.step(x, d, alg.init(x))
        for a, b in zip(code, ours):
            assert np.allclose(a, b, rtol=TOL.rtol, atol=TOL.atol * scale)


@pytest.mark.parametrize("algorithm", ["unconstrained", "constrained"])
def test_parameter_conversions_round_trip(algorithm):
    lr, rho_code = compat.to_clippedscion(1e-3, 7.0, algorithm)
    gamma, rho = compat.from_clippedscion(lr, rho_code, algorithm)
    assert TOL.close(gamma, 1e-3) and TOL.close(rho, 7.0)
    assert rho_code == (7.0 if algorithm == "unconstrained" else 28.0)


def test_ddp_effective_threshold_and_errors():
    assert compat.effective_threshold(600.0, 4) == 150.0
    with pytest.raises(ValueError, match="world_size"):
        compat.effective_threshold(600.0, 0)
    with pytest.raises(ValueError, match="algorithm"):
        compat.from_clippedscion(1e-3, 1.0, "weird")
    with pytest.raises(ValueError, match="lr"):
        compat.from_clippedscion(-1.0, 1.0)
