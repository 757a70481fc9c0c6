r"""Empirical certification of Assumption 4.2 on sampled pairs (host NumPy float64, vectorised).

For a problem with constants (L0, L1) in the norm ‖·‖, a pair (x, y) with ‖x − y‖ ≤ 1/L1 (any pair if L1 = 0)

    passes    iff  ‖∇f(x) − ∇f(y)‖_* ≤ (L0 + L1‖∇f(x)‖_*)·‖x − y‖     (gradient norm at the FIRST argument)

up to the project tolerance rule (:mod:`ggnc_theory.tolerances`): ``lhs ≤ rhs + rtol·(|rhs| + s)`` with
``rtol = sqrt(eps)`` and the scale ``s = ‖∇f(x)‖_* + ‖∇f(y)‖_*`` — the difference of two gradients is formed
with a rounding error proportional to their size, so that is the magnitude of the compared quantity.

:func:`certify` draws pairs (random base points at several scales; directions that are random, along ±the
gradient ∇f(x), along ±lmo(∇f(x)) (= ∓ the steepest-descent direction ∇f(x)♯), along coordinates and sign patterns; radii at, below and
far below 1/L1), adds the problem's witness pairs (where the derivation says the bound is attained), runs a
vectorised hill-climb on the ratio lhs/rhs from the best pairs, and reports the number of violations and the
largest ratio reached. Only *significant* pairs (lhs ≥ 100·rtol·s, i.e. far above rounding) count for the
ratio, so rounding noise cannot fake tightness.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ggnc_theory.norms import Norm
from ggnc_theory.tolerances import tolerance

from ._base import Problem

__all__ = ["Certificate", "certify", "pair_terms", "batch_norm", "batch_dual", "batch_lmo", "check_pairs"]


# --------------------------------------------------------------------------------------------- batch trees
def _is_block(x: Any) -> bool:
    return isinstance(x, tuple)


def _tmap(fn, *xs):
    if _is_block(xs[0]):
        return tuple(fn(*leaves) for leaves in zip(*xs))
    return fn(*xs)


def _bdim(a: np.ndarray) -> tuple:
    return tuple(range(1, a.ndim))


def _n(x: Any) -> int:
    return (x[0] if _is_block(x) else x).shape[0]


def _take(x: Any, idx: np.ndarray) -> Any:
    return _tmap(lambda a: a[idx], x)


def _concat(xs: list) -> Any:
    if _is_block(xs[0]):
        return tuple(np.concatenate([x[i] for x in xs]) for i in range(len(xs[0])))
    return np.concatenate(xs)


def _scale_rows(c: np.ndarray, x: Any) -> Any:
    return _tmap(lambda a: a * c.reshape((-1,) + (1,) * (a.ndim - 1)), x)


def _add(x: Any, y: Any) -> Any:
    return _tmap(lambda a, b: a + b, x, y)


def _sub(x: Any, y: Any) -> Any:
    return _tmap(lambda a, b: a - b, x, y)


# --------------------------------------------------------------------------------------------- batch norms
# The vectorised formulas live in ggnc_theory.norms (Norm.batch / batch_dual / batch_lmo); they do not raise on
# a non-finite item, so rows that overflow are counted by pair_terms instead of aborting the certification.
def batch_norm(norm: Norm, X: Any) -> np.ndarray:
    """‖X_b‖ for every item b of a batch (leading axis)."""
    return np.asarray(norm.batch(X))


def batch_dual(norm: Norm, G: Any) -> np.ndarray:
    """‖G_b‖_* for every item of a batch."""
    return np.asarray(norm.batch_dual(G))


def batch_lmo(norm: Norm, G: Any) -> Any:
    """lmo(G_b) (argmin over the unit ball, paper sign) for every item of a batch."""
    return norm.batch_lmo(G)


def _normalize(norm: Norm, X: Any) -> Any:
    n = batch_norm(norm, X)
    return _scale_rows(1.0 / np.where(n > 0, n, 1.0), X)


# --------------------------------------------------------------------------------------------- evaluation
def _grads(problem: Problem, X: Any) -> tuple[Any, np.ndarray]:
    """Batched gradients on the host; rows that overflow or leave the domain are flagged (not raised)."""
    D = problem._data(X)
    inside = problem.kernel.in_domain(X)
    if inside is not None:  # evaluate points outside the domain at the center instead, and flag them
        inside = np.asarray(inside)
        X = _tmap(lambda a, c: np.where(inside.reshape((-1,) + (1,) * (a.ndim - 1)), a, c), X,
                  _broadcast_center(problem, _n(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            G = problem.kernel.grad(X, D)
            ok = _finite_rows(G)
            return G, ok if inside is None else ok & inside
        except (OverflowError, FloatingPointError):  # an overflow somewhere: fall back to row by row
            pass
        rows, ok = [], []
        for i in range(_n(X)):
            xi = _take(X, np.array([i]))
            try:
                gi = problem.kernel.grad(xi, D)
                good = bool(_finite_rows(gi)[0]) and (inside is None or bool(inside[i]))
            except (OverflowError, FloatingPointError):
                gi, good = _tmap(np.zeros_like, xi), False
            rows.append(gi)
            ok.append(good)
        return _concat(rows), np.array(ok)


def _finite_rows(G: Any) -> np.ndarray:
    leaves = G if _is_block(G) else (G,)
    ok = np.ones(leaves[0].shape[0], dtype=bool)
    for a in leaves:
        ok &= np.all(np.isfinite(a), axis=_bdim(a))
    return ok


def pair_terms(problem: Problem, X: Any, Y: Any, L0: float, L1: float) -> dict:
    """lhs = ‖∇f(x) − ∇f(y)‖_*, rhs = (L0 + L1‖∇f(x)‖_*)‖x − y‖, the tolerance scale, and validity masks."""
    norm = problem.norm
    GX, okx = _grads(problem, X)
    GY, oky = _grads(problem, Y)
    with np.errstate(all="ignore"):
        gx = batch_dual(norm, GX)
        gy = batch_dual(norm, GY)
        lhs = batch_dual(norm, _sub(GX, GY))
        dist = batch_norm(norm, _sub(X, Y))
        rhs = (L0 + L1 * gx) * dist
    finite = okx & oky & np.isfinite(lhs) & np.isfinite(rhs)
    in_radius = dist <= (1.0 / L1) * (1 + 1e-12) if L1 > 0 else np.ones_like(dist, dtype=bool)
    return {"lhs": lhs, "rhs": rhs, "scale": gx + gy, "dist": dist, "valid": finite & in_radius & (dist > 0),
            "gx": gx}


def check_pairs(problem: Problem, X: Any, Y: Any, L0: float, L1: float) -> dict:
    """Evaluate pairs: violation flags and (significant) ratios, with the project tolerance rule."""
    t = pair_terms(problem, X, Y, L0, L1)
    rtol = tolerance(np.float64).rtol
    lhs, rhs, s, v = t["lhs"], t["rhs"], t["scale"], t["valid"]
    viol = v & (lhs > rhs + rtol * (np.abs(rhs) + s))
    significant = v & (lhs >= 100.0 * rtol * s) & (lhs > 0)
    with np.errstate(all="ignore"):
        ratio = np.where(significant, lhs / np.where(rhs > 0, rhs, np.inf), 0.0)
    ratio = np.where(significant & (rhs == 0), np.inf, ratio)
    return {**t, "violation": viol, "ratio": ratio}


# --------------------------------------------------------------------------------------------- sampling
def _leaf_shapes(problem: Problem) -> list:
    return list(problem.shape) if problem.is_block else [problem.shape]


def _random_dirs(problem: Problem, rng: np.random.Generator, n: int) -> Any:
    """Unit directions (in the problem norm) of mixed kinds: Gaussian, sign pattern, one-hot."""
    kinds = rng.integers(0, 3, size=n)
    leaves = []
    for shp in _leaf_shapes(problem):
        z = rng.standard_normal((n,) + tuple(shp))
        sgn = np.where(rng.random((n,) + tuple(shp)) < 0.5, -1.0, 1.0)
        onehot = np.zeros((n, math.prod(shp)))
        onehot[np.arange(n), rng.integers(0, math.prod(shp), size=n)] = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        onehot = onehot.reshape((n,) + tuple(shp))
        k = kinds.reshape((-1,) + (1,) * len(shp))
        leaves.append(np.where(k == 0, z, np.where(k == 1, sgn, onehot)))
    Z = tuple(leaves) if problem.is_block else leaves[0]
    return _normalize(problem.norm, Z)


def _broadcast_center(problem: Problem, n: int) -> Any:
    c = problem.center
    return _tmap(lambda a: np.broadcast_to(np.asarray(a, dtype=np.float64), (n,) + a.shape).copy(), c)


def _sample(problem: Problem, rng: np.random.Generator, n: int, L1: float) -> tuple:
    norm = problem.norm
    s = problem.scale * 10.0 ** rng.uniform(-2.0, 1.0, size=n)
    X = _add(_broadcast_center(problem, n), _scale_rows(s, _random_dirs(problem, rng, n)))
    G, ok = _grads(problem, X)
    sharp = _normalize(norm, G)  # the raw gradient direction (∇f(x)♯ itself is the −lmo direction)
    lmo = batch_lmo(norm, G)
    rnd = _random_dirs(problem, rng, n)
    kind = rng.integers(0, 5, size=n)

    def pick(a_s, a_l, a_r):
        k = kind.reshape((-1,) + (1,) * (a_s.ndim - 1))
        return np.where(k == 0, a_s, np.where(k == 1, -a_s, np.where(k == 2, a_l, np.where(k == 3, -a_l, a_r))))

    U = _tmap(pick, sharp, lmo, rnd)
    U = _normalize(norm, U)
    if L1 > 0:
        u = rng.random(n)
        R = np.where(u < 0.3, 1.0, np.where(u < 0.75, rng.random(n), 10.0 ** rng.uniform(-6, 0, size=n))) / L1
    else:
        R = problem.scale * 10.0 ** rng.uniform(-4.0, 1.0, size=n)
    return X, _add(X, _scale_rows(R, U))


def _climb(problem: Problem, rng: np.random.Generator, X: Any, Y: Any, L0: float, L1: float, iters: int) -> list:
    """Vectorised hill-climb on the ratio from the given pairs; returns every evaluated batch."""
    norm = problem.norm
    H = _sub(Y, X)
    cur = check_pairs(problem, X, Y, L0, L1)
    out = [(X, Y, cur)]
    ratio = cur["ratio"]
    n = _n(X)
    for it in range(iters):
        step = (0.3, 0.05, 0.005)[it % 3]
        xs = np.maximum(batch_norm(norm, _sub(X, _broadcast_center(problem, n))), problem.scale * 1e-3)
        Xn = _add(X, _scale_rows(step * xs, _random_dirs(problem, rng, n)))
        hn = batch_norm(norm, H)
        Hn = _add(H, _scale_rows(step * hn, _random_dirs(problem, rng, n)))
        if L1 > 0:
            hn2 = batch_norm(norm, Hn)
            push = rng.random(n) < 0.3
            target = np.where(push | (hn2 > 1.0 / L1), 1.0 / L1, hn2)
            Hn = _scale_rows(target / np.where(hn2 > 0, hn2, 1.0), Hn)
        Yn = _add(Xn, Hn)
        res = check_pairs(problem, Xn, Yn, L0, L1)
        out.append((Xn, Yn, res))
        better = res["ratio"] > ratio
        X = _tmap(lambda a, b: np.where(better.reshape((-1,) + (1,) * (a.ndim - 1)), b, a), X, Xn)
        H = _tmap(lambda a, b: np.where(better.reshape((-1,) + (1,) * (a.ndim - 1)), b, a), H, Hn)
        ratio = np.where(better, res["ratio"], ratio)
    return out


# --------------------------------------------------------------------------------------------- certify
@dataclass(frozen=True)
class Certificate:
    """Result of :func:`certify` (the worst pair is kept so a failure can be reproduced)."""

    problem: str
    L0: float
    L1: float
    n_pairs: int
    n_violations: int
    n_skipped: int
    max_ratio: float
    worst_excess: float
    worst_pair: Any

    @property
    def passed(self) -> bool:
        """No sampled pair violates Assumption 4.2."""
        return self.n_violations == 0

    @property
    def tight(self) -> bool:
        """Some significant pair reaches at least half of the bound."""
        return self.max_ratio >= 0.5

    def __str__(self) -> str:
        return (
            f"{self.problem}: (L0, L1) = ({self.L0:.6g}, {self.L1:.6g}); {self.n_pairs} pairs, "
            f"{self.n_violations} violations, max ratio {self.max_ratio:.4f}, skipped {self.n_skipped}"
        )


def certify(
    problem: Problem,
    rng: np.random.Generator,
    *,
    n_pairs: int = 10_000,
    L0: float | None = None,
    L1: float | None = None,
    climb_iters: int = 24,
    climb_width: int = 128,
    extra_pairs: tuple | None = None,
) -> Certificate:
    """Sample ≥ ``n_pairs`` admissible pairs and check Assumption 4.2 with (L0, L1) (default: the problem's).

    Args:
        problem: the problem (host NumPy evaluation).
        rng: explicit Generator for the sampling.
        n_pairs: minimum number of pairs evaluated (random + witnesses + hill-climb).
        L0, L1: constants to check (e.g. a deliberately wrong L0 to see the check fail).
        climb_iters, climb_width: size of the hill-climb on the ratio.
        extra_pairs: additional (X, Y) host batches to include.
    """
    L0 = problem.L0 if L0 is None else float(L0)
    L1 = problem.L1 if L1 is None else float(L1)
    if L0 is None or L1 is None:
        raise ValueError(f"L0, L1: problem {problem.name} has no certified constants; pass L0= and L1=")
    n_climb = climb_iters * climb_width
    n_rand = max(n_pairs - n_climb, 1000)
    X, Y = _sample(problem, rng, n_rand, L1)
    batches = [(X, Y)]
    w = problem.witness_pairs(rng)
    if w is not None:
        batches.append(w)
    if extra_pairs is not None:
        batches.append(extra_pairs)
    X = _concat([b[0] for b in batches])
    Y = _concat([b[1] for b in batches])
    res = check_pairs(problem, X, Y, L0, L1)
    evaluated = [(X, Y, res)]
    order = np.argsort(-res["ratio"])[:climb_width]
    if climb_iters > 0:
        evaluated += _climb(problem, rng, _take(X, order), _take(Y, order), L0, L1, climb_iters)[1:]
    # top up with fresh random pairs until n_pairs admissible pairs were evaluated (degenerate draws —
    # zero steps, overflow, outside the domain — do not count)
    for _ in range(20):
        missing = n_pairs - sum(int(np.sum(r["valid"])) for _, _, r in evaluated)
        if missing <= 0:
            break
        Xa, Ya = _sample(problem, rng, max(2 * missing, 100), L1)
        evaluated.append((Xa, Ya, check_pairs(problem, Xa, Ya, L0, L1)))
    n_total = n_viol = n_skip = 0
    best_ratio, worst_excess, worst = 0.0, -math.inf, None
    for Xb, Yb, r in evaluated:
        n_total += int(np.sum(r["valid"]))
        n_skip += int(np.sum(~r["valid"]))
        n_viol += int(np.sum(r["violation"]))
        best_ratio = max(best_ratio, float(np.max(r["ratio"])) if r["ratio"].size else 0.0)
        with np.errstate(all="ignore"):
            exc = np.where(r["valid"], (r["lhs"] - r["rhs"]) / np.maximum(r["rhs"] + r["scale"] * 1e-300, 1e-300),
                           -np.inf)
        i = int(np.argmax(exc))
        if exc[i] > worst_excess:
            worst_excess = float(exc[i])
            worst = (_take(Xb, np.array([i])), _take(Yb, np.array([i])))
    return Certificate(
        problem=problem.name,
        L0=L0,
        L1=L1,
        n_pairs=n_total,
        n_violations=n_viol,
        n_skipped=n_skip,
        max_ratio=best_ratio,
        worst_excess=worst_excess,
        worst_pair=worst,
    )
