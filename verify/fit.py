r"""Fitting (L0, L1) envelopes to (‖∇f‖_*, L̂) samples (ANCHORS §6, E6–E7) and comparing them with constants.

* :func:`fit_envelope` — the tightest line above all samples: the LP (HiGHS) min L0 + c·L1 subject to
  L0 + L1·g_i ≥ L̂_i, L0, L1 ≥ 0, together with the whole admissible trade-off curve
  min L0(L1) = max_i (L̂_i − L1·g_i)_+ (:meth:`EnvelopeFit.min_L0`) and its inverse
  min L1(L0) = max_i ((L̂_i − L0)/g_i)_+ (:meth:`EnvelopeFit.min_L1`).
* :func:`fit_gluon` — Gluon's asymmetric least squares (SPEC §6.2): minimise
  Σ(a g + b − L̂)² + 5·Σ max(0, L̂ − (a g + b))² over a = L1 ≥ 1e-6, b = L0 ≥ 1e-6, L-BFGS-B from (1, 1);
  reports MSE_rel = mean(((L̂ − L̂_approx)/L̂)²).
* :func:`fit_quantile` — linear quantile regression at level τ (LP), L0, L1 ≥ 0.
* :func:`bootstrap` — percentile confidence intervals of any of these fits (explicit Generator).
* :func:`loglog_slope` — the slope of log L̂ against log ‖∇f‖_* with a bootstrap CI (E7).
* :func:`diagnose` — an explicit verdict when the samples support no (L0, L1) model (rule below).
* :func:`compare` — an envelope against given (certified) constants: "constants too small" when the samples
  exceed them, "certified constants loose or estimator budget too small" when the envelope reaches less
  than half of them.

**Verdict rule of** :func:`diagnose`. No finite sample can refute (L0, L1)-smoothness (L0 = max L̂
always fits), so the verdict extrapolates; it reports "no (L0,L1) model" when either

1. *slope rule*: the samples span ≥ ``WIDE_DECADES`` decades of ‖∇f‖_* and the bootstrap CI of the log-log
   slope lies above 1 + ``SLOPE_MARGIN``. The model's envelope L0 + L1·g has log-log slope ≤ 1 everywhere,
   so samples growing faster than g over a wide range need L1 growing with g; or
2. *growth rule* (the envelope's required L1 grows without bound as samples extend): bin the samples by
   decades of g and let ρ_m = max L̂/g in bin m (bins with ≥ ``MIN_BIN`` samples). Under the model
   ρ_m ≤ L1 + L0/g, bounded and non-increasing up to L1. Records are counted from the first trough (the
   first bin after which ρ stops decreasing; before it the L0/g part dominates): a *record* is a bin whose
   ρ exceeds every earlier ρ by the factor 1 + ``RECORD_STEP``. The rule fires when there are
   ≥ ``MIN_RECORDS`` records after the trough, spanning ≥ ``WIDE_DECADES`` decades from it, with ρ at the
   last record ≥ ``GROWTH_TOTAL`` × ρ at the trough.

Both are heuristics: a legitimate function whose samples sit far below the envelope at small gradients and
on it at large ones can trigger them, and a non-(L0,L1) function sampled over a narrow range passes. The
verdict lists which rule fired and its numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog, minimize

from ggnc_theory.tolerances import tolerance

from .estimate import Samples

__all__ = [
    "GLUON_PENALTY",
    "GLUON_FLOOR",
    "LOOSE_FRACTION",
    "WIDE_DECADES",
    "SLOPE_MARGIN",
    "MIN_BIN",
    "MIN_RECORDS",
    "RECORD_STEP",
    "GROWTH_TOTAL",
    "EnvelopeFit",
    "GluonFit",
    "QuantileFit",
    "BootstrapCI",
    "Slope",
    "Verdict",
    "Comparison",
    "fit_envelope",
    "fit_gluon",
    "fit_quantile",
    "bootstrap",
    "loglog_slope",
    "diagnose",
    "compare",
]

#: Gluon's extra weight on samples above the line (SPEC §6.2: 5×) and its lower bound on L0, L1.
GLUON_PENALTY = 5.0
GLUON_FLOOR = 1e-6
#: compare(): an envelope reaching less than this fraction of the given constants flags them as loose (or the
#: estimator budget as too small) — the acceptance level of the estimation issue.
LOOSE_FRACTION = 0.5
#: diagnose(): a "wide range" of gradient norms is ≥ 3 decades — over fewer, curvature of an (L0,L1) envelope
#: (slope rising from 0 to 1 near g ≈ L0/L1) cannot be told apart from super-linear growth.
WIDE_DECADES = 3.0
#: diagnose(): the slope must exceed 1 by this margin at the CI's lower end, so slopes that tend to 1 from
#: above only logarithmically (borderline functions) are not declared non-(L0,L1) by the slope rule alone.
SLOPE_MARGIN = 0.05
#: diagnose(): the minimum number of samples for a decade bin to count (one sample is not an envelope).
MIN_BIN = 3
#: diagnose(): records (bins whose ρ = max L̂/g beats all earlier bins) needed for the growth rule: three
#: successive new highs beyond the first bin make a trend, not one outlier.
MIN_RECORDS = 3
#: diagnose(): a record must beat the previous best by 1%; smaller gains are within the scatter of the
#: directional sampling and of plateaus (ρ → L1 from below).
RECORD_STEP = 0.01
#: diagnose(): the required L1 must at least double over the range for the growth rule to fire.
GROWTH_TOTAL = 2.0


def _arrays(samples: Samples) -> tuple[np.ndarray, np.ndarray]:
    g, lh = np.asarray(samples.grad_dual, float), np.asarray(samples.lhat, float)
    ok = np.isfinite(g) & np.isfinite(lh) & (g >= 0)
    if not np.any(ok):
        raise ValueError("fit: no finite samples")
    return g[ok], lh[ok]


# --------------------------------------------------------------------------------------------- envelope LP
@dataclass(frozen=True)
class EnvelopeFit:
    r"""The tightest line L0 + L1·g above all samples (LP optimum for cost c) and the trade-off curve.

    Attributes:
        L0, L1: the LP optimum of min L0 + c·L1.
        c: the cost weight (default: the median of g: the line's height at a typical sample).
        samples: the samples fitted (kept for :func:`compare` and the curve).
        status: the HiGHS status message.
    """

    L0: float
    L1: float
    c: float
    samples: Samples = field(repr=False)
    status: str = ""

    def min_L0(self, L1: float | np.ndarray) -> float | np.ndarray:
        """The admissible trade-off curve: the least L0 with L0 + L1·g_i ≥ L̂_i for all i, i.e.
        max_i (L̂_i − L1 g_i)_+."""
        g, lh = _arrays(self.samples)
        L1a = np.asarray(L1, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # L1·g may overflow to inf: then L̂ − L1·g = −inf
            out = np.maximum(np.max(lh[None, :] - L1a.reshape(-1, 1) * g[None, :], axis=1), 0.0)
        return float(out[0]) if L1a.ndim == 0 else out.reshape(L1a.shape)

    def min_L1(self, L0: float) -> float:
        """min L1 such that L0 + L1·g_i ≥ L̂_i for all i (``inf`` if a sample at g = 0 exceeds L0)."""
        g, lh = _arrays(self.samples)
        excess = lh - float(L0)
        if np.any((g == 0) & (excess > 0)):
            return math.inf
        pos = g > 0
        return float(max(0.0, np.max(excess[pos] / g[pos]))) if np.any(pos) else 0.0

    def curve(self, n: int = 50) -> tuple[np.ndarray, np.ndarray]:
        """(L1 grid, min L0) from L1 = 0 to the L1 at which min L0 reaches 0 (or 2× the LP's L1)."""
        top = max(self.min_L1(0.0), 2.0 * self.L1, 1e-12)
        if not math.isfinite(top):
            top = max(2.0 * self.L1, 1.0)
        grid = np.linspace(0.0, top, int(n))
        return grid, np.asarray(self.min_L0(grid))


def fit_envelope(samples: Samples, c: float | None = None) -> EnvelopeFit:
    """The tightest line above all samples: LP min L0 + c·L1 s.t. L0 + L1·g_i ≥ L̂_i, L0, L1 ≥ 0 (HiGHS)."""
    g, lh = _arrays(samples)
    cw = float(np.median(g)) if c is None else float(c)
    if not (cw >= 0 and math.isfinite(cw)):
        raise ValueError(f"c must be finite and ≥ 0, got {c!r}")
    # solve in units scaled by max g and max L̂ (samples may span
    # hundreds of decades): a = L0/ls, b = L1·gs/ls
    gs = float(np.max(g)) or 1.0
    ls = float(np.max(np.abs(lh))) or 1.0
    A = -np.column_stack([np.ones_like(g), g / gs])  # −a − b·g_i/gs ≤ −L̂_i/ls
    res = linprog([1.0, cw / gs], A_ub=A, b_ub=-lh / ls, bounds=[(0, None), (0, None)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"fit_envelope: LP failed: {res.message}")
    L0, L1 = float(res.x[0]) * ls, float(res.x[1]) * ls / gs
    return EnvelopeFit(L0, L1, cw, samples, str(res.message))


# --------------------------------------------------------------------------------------------- Gluon LS
@dataclass(frozen=True)
class GluonFit:
    """Gluon's penalised least-squares fit: L0, L1, MSE_rel, the final loss and the optimizer's success."""

    L0: float
    L1: float
    mse_rel: float
    loss: float
    converged: bool


def fit_gluon(
    samples: Samples,
    *,
    penalty: float = GLUON_PENALTY,
    floor: float = GLUON_FLOOR,
    normalize: bool = False,
) -> GluonFit:
    """Gluon's fit (SPEC §6.2): Σ r_i² + penalty·Σ max(0, −r_i)² with r_i = a g_i + b − L̂_i over
    a = L1 ≥ floor, b = L0 ≥ floor; L-BFGS-B from (1, 1).

    ``normalize=False`` is Gluon's protocol verbatim. It is ill-conditioned when the samples span many
    decades (the loss then overflows or L-BFGS-B stops early; ``converged`` says so). ``normalize=True``
    solves the same problem in units of max g and max L̂ (start (1, 1) in those units; the floor still
    applies to L0 and L1 in the original units) and maps back.
    """
    g, lh = _arrays(samples)
    gs = (float(np.max(g)) or 1.0) if normalize else 1.0
    ls = (float(np.max(np.abs(lh))) or 1.0) if normalize else 1.0
    gn, ln = g / gs, lh / ls
    bounds = [(floor * gs / ls, None), (floor / ls, None)]  # the floor applies to L1, L0 in original units

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = p
        with np.errstate(over="ignore", invalid="ignore"):
            r = a * gn + b - ln
            under = np.minimum(r, 0.0)  # the line is below the sample: penalised extra
            val = float(np.sum(r * r) + penalty * np.sum(under * under))
            dr = 2.0 * r + 2.0 * penalty * under
            grad = np.array([float(np.sum(dr * gn)), float(np.sum(dr))])
        return val, grad

    res = minimize(fun, x0=np.array([1.0, 1.0]), jac=True, method="L-BFGS-B", bounds=bounds)
    a, b = max(float(res.x[0]) * ls / gs, floor), max(float(res.x[1]) * ls, floor)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = (lh - (b + a * g)) / lh
        rel = rel[np.isfinite(rel)]
        mse = float(np.mean(rel * rel)) if rel.size else math.nan
    ok = bool(res.success) and math.isfinite(float(res.fun))
    return GluonFit(L0=b, L1=a, mse_rel=mse, loss=float(res.fun), converged=ok)


# --------------------------------------------------------------------------------------------- quantile
@dataclass(frozen=True)
class QuantileFit:
    """Linear quantile regression L̂ ≈ L0 + L1·g at level tau (fraction of samples on or below the line)."""

    L0: float
    L1: float
    tau: float
    coverage: float


def fit_quantile(samples: Samples, tau: float = 0.95) -> QuantileFit:
    """Quantile regression by LP: min Σ τ u_i + (1 − τ) v_i s.t. L0 + L1 g_i + u_i − v_i = L̂_i, all ≥ 0."""
    if not 0 < tau < 1:
        raise ValueError(f"tau must lie in (0, 1), got {tau!r}")
    g, lh = _arrays(samples)
    n = g.size
    gs = float(np.max(g)) or 1.0
    ls = float(np.max(np.abs(lh))) or 1.0
    cost = np.concatenate([[0.0, 0.0], np.full(n, tau), np.full(n, 1.0 - tau)])
    eye = sparse.identity(n, format="csr")
    A = sparse.hstack([sparse.csr_matrix(np.column_stack([np.ones(n), g / gs])), eye, -eye], format="csr")
    res = linprog(cost, A_eq=A, b_eq=lh / ls, bounds=[(0, None)] * (2 + 2 * n), method="highs")
    if res.status != 0:
        raise RuntimeError(f"fit_quantile: LP failed: {res.message}")
    L0, L1 = float(res.x[0]) * ls, float(res.x[1]) * ls / gs
    cov = float(np.mean(lh <= L0 + L1 * g + tolerance().rtol * np.abs(lh)))
    return QuantileFit(L0, L1, float(tau), cov)


# --------------------------------------------------------------------------------------------- bootstrap
@dataclass(frozen=True)
class BootstrapCI:
    """Percentile bootstrap: the point estimate, (low, high) per
    parameter, the replicate array and its settings."""

    estimate: Mapping[str, float]
    low: Mapping[str, float]
    high: Mapping[str, float]
    replicates: np.ndarray = field(repr=False)
    level: float = 0.95
    n_boot: int = 200


def bootstrap(
    samples: Samples,
    fitter: Callable[[Samples], Any] = fit_envelope,
    rng: np.random.Generator | None = None,
    *,
    n_boot: int = 200,
    level: float = 0.95,
    params: tuple[str, ...] = ("L0", "L1"),
) -> BootstrapCI:
    """Percentile CIs of ``fitter``'s ``params`` over resamples (with replacement) drawn from ``rng``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError("bootstrap: give an explicit rng (numpy.random.Generator)")
    n = len(samples)
    if n < 2:
        raise ValueError("bootstrap: need at least 2 samples")
    point = fitter(samples)
    reps = np.empty((int(n_boot), len(params)))
    for b in range(int(n_boot)):
        fit = fitter(_resample(samples, rng.integers(0, n, n)))
        reps[b] = [getattr(fit, p) for p in params]
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(reps, a, axis=0), np.quantile(reps, 1.0 - a, axis=0)
    return BootstrapCI(
        estimate=MappingProxyType({p: float(getattr(point, p)) for p in params}),
        low=MappingProxyType({p: float(v) for p, v in zip(params, lo)}),
        high=MappingProxyType({p: float(v) for p, v in zip(params, hi)}),
        replicates=reps,
        level=float(level),
        n_boot=int(n_boot),
    )


def _resample(samples: Samples, idx: np.ndarray) -> Samples:
    return Samples(
        samples.grad_dual[idx],
        samples.lhat[idx],
        samples.step[idx],
        samples.method,
        samples.norm,
        samples.meta,
    )


# --------------------------------------------------------------------------------------------- slope
@dataclass(frozen=True)
class Slope:
    """OLS slope of log L̂ on log ‖∇f‖_* with a percentile-bootstrap CI, and the decades of g spanned."""

    slope: float
    low: float
    high: float
    decades: float
    n: int


def _ols_slope(x: np.ndarray, y: np.ndarray) -> float:
    xc = x - x.mean()
    den = float(np.sum(xc * xc))
    return float(np.sum(xc * (y - y.mean())) / den) if den > 0 else math.nan


def loglog_slope(
    samples: Samples, rng: np.random.Generator, *, n_boot: int = 200, level: float = 0.95
) -> Slope:
    """E7: slope of log L̂ vs log ‖∇f‖_* (samples with both > 0), CI by bootstrap over samples."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError("loglog_slope: give an explicit rng (numpy.random.Generator)")
    g, lh = _arrays(samples)
    ok = (g > 0) & (lh > 0)
    x, y = np.log10(g[ok]), np.log10(lh[ok])
    if x.size < 3:
        return Slope(math.nan, math.nan, math.nan, 0.0, int(x.size))
    s = _ols_slope(x, y)
    reps = np.array(
        [_ols_slope(x[i], y[i]) for i in (rng.integers(0, x.size, x.size) for _ in range(n_boot))]
    )
    reps = reps[np.isfinite(reps)]
    a = (1.0 - level) / 2.0
    lo, hi = (float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))) if reps.size else (math.nan,) * 2
    return Slope(s, lo, hi, float(x.max() - x.min()), int(x.size))


# --------------------------------------------------------------------------------------------- verdict
@dataclass(frozen=True)
class Verdict:
    """Whether the samples support an (L0, L1) model; ``reasons`` names the rules that fired."""

    supported: bool
    reasons: tuple[str, ...]
    slope: Slope
    ratios: Mapping[str, Any]


def diagnose(samples: Samples, rng: np.random.Generator, *, n_boot: int = 200) -> Verdict:
    """The explicit verdict of the module docstring (slope rule, growth rule)."""
    sl = loglog_slope(samples, rng, n_boot=n_boot)
    reasons = []
    if sl.decades >= WIDE_DECADES and math.isfinite(sl.low) and sl.low > 1.0 + SLOPE_MARGIN:
        reasons.append(
            f"log-log slope {sl.slope:.3g} (CI [{sl.low:.3g}, {sl.high:.3g}]) > 1 "
            f"over {sl.decades:.1f} decades"
        )
    g, lh = _arrays(samples)
    ok = (g > 0) & (lh > 0)
    lg, rho = np.log10(g[ok]), lh[ok] / g[ok]
    bins = np.floor(lg).astype(int)
    centers, maxima = [], []
    for b in np.unique(bins):
        sel = bins == b
        if np.count_nonzero(sel) >= MIN_BIN:
            centers.append(int(b))
            maxima.append(float(np.max(rho[sel])))
    records, start = [], 0
    if maxima:
        start = 0  # the first trough: while ρ decreases, the L0/g part dominates it
        while start + 1 < len(maxima) and maxima[start + 1] < maxima[start]:
            start += 1
        best = maxima[start]
        for b, r in zip(centers[start + 1 :], maxima[start + 1 :]):
            if r > best * (1.0 + RECORD_STEP):
                records.append((b, r))
                best = r
    info = {
        "bins": centers,
        "rho_max": maxima,
        "trough": centers[start] if maxima else None,
        "records": records,
    }
    if (
        len(records) >= MIN_RECORDS
        and records[-1][0] - centers[start] >= WIDE_DECADES
        and records[-1][1] >= GROWTH_TOTAL * maxima[start]
    ):
        reasons.append(
            f"required L1 (max L̂/g per decade) grows from {maxima[start]:.3g} to {records[-1][1]:.3g} "
            f"over {records[-1][0] - centers[start]} decades ({len(records)} records)"
        )
    return Verdict(not reasons, tuple(reasons), sl, MappingProxyType(info))


# --------------------------------------------------------------------------------------------- compare
@dataclass(frozen=True)
class Comparison:
    r"""An envelope against given constants (L0, L1).

    Attributes:
        flag: ``"ok"``, ``"constants too small"`` or
            ``"certified constants loose or estimator budget too small"``.
        mismatch: flag != "ok".
        exceeds: the samples need more than (L0, L1) (tolerance rule).
        loose: the envelope reaches less than LOOSE_FRACTION of the constants.
        L0_hat: min L0 at the given L1 from the admissible samples; L1_hat: min L1 at the given L0.
        reach: L0_hat/L0 if L0 > 0, else L1_hat/L1 — how much of the constants the samples demonstrate.
        n_used: samples with ‖x − y‖ ≤ 1/L1 (the pairs Assumption 4.2 constrains).
    """

    flag: str
    mismatch: bool
    exceeds: bool
    loose: bool
    L0_hat: float
    L1_hat: float
    reach: float
    n_used: int
    L0: float
    L1: float
    message: str


def compare(fit: EnvelopeFit | Samples, L0: float, L1: float) -> Comparison:
    """Flag a mismatch between the samples' envelope and the constants (L0, L1) (see :class:`Comparison`).

    Only samples from pairs with ‖x − y‖ ≤ 1/L1 count (Assumption 4.2 says nothing about farther pairs).
    ``exceeds`` is ``not leq(L0_hat, L0)`` under the tolerance rule with the scale of the compared quantities
    (L̂ and L1·g at the sample attaining L0_hat).
    """
    samples = fit.samples if isinstance(fit, EnvelopeFit) else fit
    L0, L1 = float(L0), float(L1)
    if L0 < 0 or L1 < 0 or not (math.isfinite(L0) and math.isfinite(L1)):
        raise ValueError("compare: L0 and L1 must be finite and ≥ 0")
    used = samples.within(1.0 / L1 if L1 > 0 else math.inf)
    n = len(used)
    if n == 0:
        return Comparison(
            "certified constants loose or estimator budget too small",
            True,
            False,
            True,
            0.0,
            0.0,
            0.0,
            0,
            L0,
            L1,
            "no admissible samples (all pairs farther than 1/L1)",
        )
    env = EnvelopeFit(math.nan, math.nan, math.nan, used)
    g, lh = _arrays(used)
    with np.errstate(over="ignore", invalid="ignore"):
        i = int(np.argmax(lh - L1 * g))
    L0_hat = float(env.min_L0(L1))
    L1_hat = float(env.min_L1(L0))
    scale = float(abs(lh[i]) + L1 * g[i])
    exceeds = not tolerance(scale=scale).leq(L0_hat, L0)
    if L0 > 0:
        reach = L0_hat / L0
    elif L1 > 0:
        reach = L1_hat / L1 if math.isfinite(L1_hat) else math.inf
    else:
        reach = math.inf if L0_hat > 0 else 1.0
    loose = (not exceeds) and reach < LOOSE_FRACTION
    flag = (
        "constants too small"
        if exceeds
        else ("certified constants loose or estimator budget too small" if loose else "ok")
    )
    msg = (
        f"{flag}: min L0 at L1={L1:.4g} is {L0_hat:.6g} vs L0={L0:.4g}; min L1 at L0 is {L1_hat:.6g} "
        f"vs L1={L1:.4g}; reach {reach:.3g} over {n} samples"
    )
    return Comparison(flag, flag != "ok", exceeds, loose, L0_hat, L1_hat, float(reach), n, L0, L1, msg)
