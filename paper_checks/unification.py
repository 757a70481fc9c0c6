r"""The poster's unifying template (SPEC §2.6, §8 item 15): methods as preconditioned steps.

Read with the metric ‖u‖²_{2,H} = ⟨u, H^{1/2}u⟩ (SPEC §2.6 reading notes), the template's step is
x^{k+1} = x^k − γ·H_k^{−1/2}d^k (pseudo-inverse where H is singular; ε and bias corrections omitted). The
wiring below builds H_k as the poster's table prints it, forms H^{−1/2} by an eigendecomposition, and compares
the step with the library's lmo-based methods (uCG with ρ = 1 in ℓ∞ = sign descent, in the spectral norm =
−γUVᵀ; SD in the spectral and Frobenius norms):

* ``unification/rmsprop-to-sign`` — RMSProp with β2 = 0 ([H]_ii = (g_i)²) gives −γ·sign(g) (also the
  ℓ∞-descent and SignSGD rows); deviations for β2 > 0 are recorded in ``info``;
* ``unification/adam-to-signum`` — Adam with β2 = 0 against Signum −γ·sign(β1d^{k−1} + (1 − β1)g): with H
  built from g as printed the step is −γm/|g| (violated for β1 > 0), with H built from m it holds (corrected
  reading) → ERRATUM; with β1 = 0 it holds as printed → PASS;
* ``unification/shampoo-to-spectral`` — Shampoo with β2 = 0 (R = GGᵀ, L = GᵀG, H = R^{1/2} ⊗ L^{1/2}) gives
  −γUVᵀ (also the spectral-descent row);
* ``unification/muon-momentum`` — the Scion/Muon row: H from G as printed vs from the momentum D (corrected)
  against −γ·UVᵀ of D → ERRATUM;
* ``unification/rank1-spectral-is-frobenius`` — a single-sample (rank-1, G = δxᵀ) gradient: spectral descent
  equals Frobenius descent (SD and lmo steps), and ‖G‖_{S1}/‖G‖_F = 1 (SPEC §3.5).
"""

from __future__ import annotations

import numpy as np

from ggnc_theory import algorithms as A
from ggnc_theory import norms as N

from ._registry import agree, constant_along, register, row

CLAIM = "unification"
GAMMA = 0.3
SHAPE = (4, 3)


# ----------------------------------------------------------------------------------------- template wiring
def _power_psd(H: np.ndarray, power: float) -> np.ndarray:
    """H^power of a symmetric PSD matrix by eigendecomposition; eigenvalues at rounding level count as 0
    (pseudo-inverse for negative powers, numpy.linalg.pinv's cut-off)."""
    w, Q = np.linalg.eigh(0.5 * (H + H.T))
    keep = w > max(H.shape) * np.finfo(np.float64).eps * max(float(np.max(np.abs(w))), 1e-300)
    wp = np.where(keep, np.where(keep, w, 1.0) ** power, 0.0)
    return (Q * wp) @ Q.T


def template_step(x: np.ndarray, d: np.ndarray, H: np.ndarray, gamma: float) -> np.ndarray:
    """x − γ·H^{−1/2}d with d, x flattened row-major (the template under the ⟨u, H^{1/2}u⟩ reading)."""
    return x - gamma * (_power_psd(H, -0.5) @ d.ravel()).reshape(x.shape)


def _diag_H(v: np.ndarray, H_prev: np.ndarray, beta2: float) -> np.ndarray:
    """[H]_ii = β2[H_prev]_ii + (1 − β2)v_i² (RMSProp / Adam / ℓ∞-descent rows)."""
    return np.diag(beta2 * np.diag(H_prev) + (1.0 - beta2) * v.ravel() ** 2)


def _kron_H(V: np.ndarray, R_prev: np.ndarray, L_prev: np.ndarray, beta2: float) -> np.ndarray:
    """R^{1/2} ⊗ L^{1/2} with R = β2R_prev + (1 − β2)VVᵀ, L = β2L_prev + (1 − β2)VᵀV (Shampoo row)."""
    R = beta2 * R_prev + (1.0 - beta2) * V @ V.T
    L = beta2 * L_prev + (1.0 - beta2) * V.T @ V
    return np.kron(_power_psd(R, 0.5), _power_psd(L, 0.5))


def _lib_step(alg, x, g, d_prev=None):
    state = alg.init(x) if d_prev is None else A.State(d=d_prev, k=1)
    return alg.step(x, g, state)[0]


# --------------------------------------------------------------------------------------------- rows
def rmsprop_row(draws: int, rng, *, beta2: float = 0.0) -> object:
    sign = A.ucg(N.Linf(), GAMMA, 1.0)
    pairs, info = [], {}
    for b2 in sorted({beta2, 1e-2, 1e-4}, reverse=True):
        pairs = []
        for _ in range(draws):
            x, g = rng.standard_normal(7), rng.standard_normal(7)
            H_prev = np.diag(rng.standard_normal(7) ** 2)
            pairs.append((template_step(x, g, _diag_H(g, H_prev, b2), GAMMA), _lib_step(sign, x, g)))
        res = agree(f"RMSProp (β2 = {b2:g}) step = −γ·sign(g)", pairs, N.Linf())
        info[f"max_deviation(beta2={b2:g})"] = res.measured
    return row(CLAIM + "/rmsprop-to-sign", "poster", "ℓ∞ (diag H)", f"β2={beta2:g}, γ={GAMMA}, {draws} draws",
               res, info=info)


def adam_row(beta1: float, draws: int, rng) -> object:
    signum = A.ucg(N.Linf(), GAMMA, 1.0, alpha=1.0 - beta1)
    printed, corrected = [], []
    for _ in range(draws):
        x, g, m_prev = rng.standard_normal(7), rng.standard_normal(7), rng.standard_normal(7)
        m = beta1 * m_prev + (1.0 - beta1) * g
        ref = _lib_step(signum, x, g, m_prev)
        zero = np.zeros((7, 7))
        printed.append((template_step(x, m, _diag_H(g, zero, 0.0), GAMMA), ref))
        corrected.append((template_step(x, m, _diag_H(m, zero, 0.0), GAMMA), ref))
    setting = f"β1={beta1:g}, β2=0, γ={GAMMA}, {draws} draws"
    return row(CLAIM + "/adam-to-signum", "poster", "ℓ∞ (diag H)", setting,
               agree("Adam (β2 = 0, H from g as printed) step = Signum step", printed, N.Linf()),
               agree("Adam (β2 = 0, H from m) step = Signum step", corrected, N.Linf()))


def shampoo_row(draws: int, rng, *, beta2: float = 0.0) -> object:
    spectral = A.ucg(N.Spectral(), GAMMA, 1.0)
    pairs = []
    for _ in range(draws):
        x, G = rng.standard_normal(SHAPE), rng.standard_normal(SHAPE)
        A0 = rng.standard_normal((SHAPE[0], SHAPE[0]))
        B0 = rng.standard_normal((SHAPE[1], SHAPE[1]))
        H = _kron_H(G, A0 @ A0.T, B0 @ B0.T, beta2)
        pairs.append((template_step(x, G, H, GAMMA), _lib_step(spectral, x, G)))
    res = agree(f"Shampoo (β2 = {beta2:g}) step = −γUVᵀ", pairs, N.Spectral())
    setting = f"β2={beta2:g}, γ={GAMMA}, {draws} draws"
    return row(CLAIM + "/shampoo-to-spectral", "poster", f"spectral {SHAPE}", setting, res)


def muon_row(beta1: float, draws: int, rng) -> object:
    muon = A.ucg(N.Spectral(), GAMMA, 1.0, alpha=1.0 - beta1)
    printed, corrected = [], []
    zr, zl = np.zeros((SHAPE[0],) * 2), np.zeros((SHAPE[1],) * 2)
    for _ in range(draws):
        x, G, D_prev = (rng.standard_normal(SHAPE) for _ in range(3))
        D = beta1 * D_prev + (1.0 - beta1) * G
        ref = _lib_step(muon, x, G, D_prev)
        printed.append((template_step(x, D, _kron_H(G, zr, zl, 0.0), GAMMA), ref))
        corrected.append((template_step(x, D, _kron_H(D, zr, zl, 0.0), GAMMA), ref))
    setting = f"β1={beta1:g}, γ={GAMMA}, {draws} draws"
    return row(CLAIM + "/muon-momentum", "poster", f"spectral {SHAPE}", setting,
               agree("Scion/Muon row (H from G as printed) step = −γ·UVᵀ of D", printed, N.Spectral()),
               agree("Scion/Muon row (H from D) step = −γ·UVᵀ of D", corrected, N.Spectral()))


def rank1_row(draws: int, rng, *, rank: int = 1) -> object:
    """Spectral vs Frobenius descent on gradients Σ_{j≤rank} δ_j x_jᵀ (rank 1: one sample; tests use more)."""
    S, F = N.Spectral(), N.Frobenius()
    sd_pairs, lmo_pairs, ratios = [], [], []
    for _ in range(draws):
        x = rng.standard_normal(SHAPE)
        G = sum(np.outer(rng.standard_normal(SHAPE[0]), rng.standard_normal(SHAPE[1])) for _ in range(rank))
        sd_pairs.append(
            (_lib_step(A.steepest_descent(S, GAMMA), x, G), _lib_step(A.steepest_descent(F, GAMMA), x, G))
        )
        lmo_pairs.append((_lib_step(A.ucg(S, GAMMA, 1.0), x, G), _lib_step(A.ucg(F, GAMMA, 1.0), x, G)))
        ratios.append(float(S.dual(G)) / float(F.dual(G)))
    return row(CLAIM + "/rank1-spectral-is-frobenius", "poster", f"spectral vs frobenius {SHAPE}",
               f"rank {rank}, γ={GAMMA}, {draws} draws",
               agree("spectral SD step = Frobenius SD step (rank-1 G)", sd_pairs, S),
               extra=[agree("spectral lmo step = Frobenius lmo step", lmo_pairs, S),
                      constant_along("effective rank ‖G‖_S1/‖G‖_F = 1", ratios, 1.0)])


@register(CLAIM, "poster", "Poster unification table: β2 → 0 limits (sign, Signum, spectral); rank 1: Frob.")
def run(quick: bool = False, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    draws = 10 if quick else 100
    return [
        rmsprop_row(draws, rng),
        adam_row(0.9, draws, rng),
        adam_row(0.0, draws, rng),
        shampoo_row(draws, rng),
        muon_row(0.9, draws, rng),
        rank1_row(draws, rng),
    ]
