r"""The registry of paper claims, the verdict rule and the few shared helpers of the claim modules.

A **claim** is one statement of the paper (theorem, lemma, table, figure, poster or rebuttal) made runnable:
``Claim.run(quick=..., seed=...)`` returns a list of :class:`Row`, each built from one or more
:class:`verify.CheckResult` (the checkers' one pass rule decides every comparison) and a **verdict**:

* ``PASS`` — the hypotheses hold and the statement holds as printed;
* ``ERRATUM`` — the as-printed statement is violated, or inconsistent (its own prescription violates its
  hypotheses), while its corrected counterpart passes;
* ``FAIL`` — a statement whose hypotheses hold is violated and no correction explains it;
* ``SKIP`` — the hypotheses cannot be met (the reason is recorded).

:func:`verdict` applies this rule to one result or to an ``(as printed, corrected)`` pair; the claim modules
never decide a verdict themselves. Rows serialise deterministically (:meth:`Row.to_dict`; no timings).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ggnc_theory import run as run_algorithm
from ggnc_theory import theorems as T
from ggnc_theory._backend import tree_inner
from ggnc_theory.norms import Norm, Product
from ggnc_theory.tolerances import tolerance
from verify import CheckResult
from verify._result import _json, judge, judge_steps

__all__ = [
    "ERRATUM",
    "FAIL",
    "PASS",
    "SKIP",
    "SOURCES",
    "VERDICTS",
    "CLAIMS",
    "Claim",
    "Row",
    "available",
    "compare",
    "constant_along",
    "get",
    "identity_results",
    "register",
    "row",
    "verdict",
]

PASS, FAIL, ERRATUM, SKIP = "PASS", "FAIL", "ERRATUM", "SKIP"
VERDICTS = (PASS, ERRATUM, SKIP, FAIL)
SOURCES = ("theorem", "lemma", "table", "figure", "poster", "rebuttal")


# --------------------------------------------------------------------------------------------- verdict rule
def _ok(r: CheckResult) -> bool:
    """Applicable and holding: the statement is confirmed by this result."""
    return bool(r.applicable and r.holds)


def _msg(r: CheckResult) -> str:
    """The result's message without its leading status word."""
    for word in ("PASS: ", "FAIL: ", "N/A: "):
        if r.message.startswith(word):
            return r.message[len(word):]
    return r.message


def _why(r: CheckResult) -> str:
    if not r.applicable:
        return "hypotheses fail: " + "; ".join(r.hypotheses_failed)
    return _msg(r)


def verdict(printed: CheckResult | None, corrected: CheckResult | None = None) -> tuple[str, str]:
    """The verdict and its reason for one result (``corrected=None``) or an (as printed, corrected) pair.

    Single statement: applicable and holds → PASS; applicable and violated → FAIL; hypotheses fail → SKIP.

    Pair: the corrected statement decides whether anything is wrong at all —

    * corrected applicable and violated → FAIL (no correction explains it);
    * corrected confirmed and the printed one confirmed too → PASS;
    * corrected confirmed, printed violated → ERRATUM (printed violated, corrected holds);
    * corrected confirmed, printed not applicable → ERRATUM (the printed statement cannot be applied where its
      correction can: its prescription contradicts its hypotheses);
    * corrected not applicable → the single-statement rule on the printed one (PASS/FAIL/SKIP).
    """
    if printed is None and corrected is None:
        raise ValueError("verdict: give at least one CheckResult")
    if corrected is None or printed is None:
        r = printed if printed is not None else corrected
        if not r.applicable:
            return SKIP, _why(r)
        return (PASS, "holds") if r.holds else (FAIL, "violated with its hypotheses holding: " + _msg(r))
    if corrected.applicable and not corrected.holds:
        return FAIL, "the corrected statement is violated too: " + _msg(corrected)
    if _ok(corrected):
        if _ok(printed):
            return PASS, "holds as printed (and corrected)"
        if printed.applicable:
            return ERRATUM, "violated as printed, the corrected statement holds: " + _msg(printed)
        return ERRATUM, "as printed inconsistent (" + _why(printed) + "); the corrected statement holds"
    return verdict(printed, None)


# --------------------------------------------------------------------------------------------- rows
@dataclass(frozen=True)
class Row:
    """One line of the report: a claim evaluated on one problem/setting.

    ``measured``, ``bound`` and ``ratio`` are taken from the *primary* result (the as-printed statement when
    there is one); ``results`` holds every CheckResult the verdict was decided from; ``info`` extra wiring
    details (settings, clipped fraction, counterpart ratios).
    """

    claim: str
    source: str
    problem: str
    setting: str
    measured: float
    bound: float
    ratio: float
    verdict: str
    reason: str
    results: tuple[CheckResult, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable, deterministic (sorted keys, non-finite floats as strings, no timings)."""
        return _json(
            {
                "claim": self.claim,
                "source": self.source,
                "problem": self.problem,
                "setting": self.setting,
                "measured": self.measured,
                "bound": self.bound,
                "ratio": self.ratio,
                "verdict": self.verdict,
                "reason": self.reason,
                "results": [r.to_dict() for r in self.results],
                "info": dict(self.info),
            }
        )


def row(
    claim: str,
    source: str,
    problem: str,
    setting: str,
    printed: CheckResult,
    corrected: CheckResult | None = None,
    *,
    extra: Sequence[CheckResult] = (),
    info: Mapping[str, Any] | None = None,
) -> Row:
    """A :class:`Row` whose verdict is :func:`verdict` ``(printed, corrected)``.

    ``extra`` results are recorded and must all be confirmed: an applicable, violated one makes the row FAIL.
    """
    v, why = verdict(printed, corrected)
    for r in extra:
        if r.applicable and not r.holds:
            v, why = FAIL, "supporting check violated: " + _msg(r)
            break
    info = dict(info or {})
    if corrected is not None:
        info.setdefault(
            "corrected",
            {
                "measured": corrected.measured,
                "bound": corrected.bound,
                "ratio": corrected.ratio,
                "status": corrected.status,
            },
        )
    return Row(
        claim=claim,
        source=source,
        problem=problem,
        setting=setting,
        measured=printed.measured,
        bound=printed.bound,
        ratio=printed.ratio,
        verdict=v,
        reason=why,
        results=tuple([printed] + ([corrected] if corrected is not None else []) + list(extra)),
        info=info,
    )


# --------------------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Claim:
    """A registered claim: ``fn(quick: bool, seed: int) -> list[Row]``."""

    id: str
    source: str
    title: str
    fn: Callable[..., list[Row]] = field(repr=False)

    def run(self, *, quick: bool = False, seed: int = 0) -> list[Row]:
        rows = list(self.fn(quick=quick, seed=seed))
        if not rows:
            raise AssertionError(f"claim {self.id}: produced no rows")
        return rows


CLAIMS: dict[str, Claim] = {}

#: Report order (claims not listed follow in registration order).
ORDER = ("table1-identities", "thm-4.3", "thm-4.3-special", "separation", "prop-4.1", "thm-4.5")


def register(id: str, source: str, title: str) -> Callable:
    """Decorator registering ``fn(quick, seed) -> list[Row]`` as claim ``id``."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")

    def deco(fn: Callable) -> Callable:
        if id in CLAIMS:
            raise ValueError(f"claim {id!r} registered twice")
        CLAIMS[id] = Claim(id=id, source=source, title=title, fn=fn)
        return fn

    return deco


def available() -> list[str]:
    """Registered claim ids, in report order (:data:`ORDER`)."""
    rank = {cid: i for i, cid in enumerate(ORDER)}
    return sorted(CLAIMS, key=lambda cid: (rank.get(cid, len(ORDER)), list(CLAIMS).index(cid)))


def get(id: str) -> Claim:
    """The claim ``id``; ``ValueError`` naming it (and the known ids) if unknown."""
    try:
        return CLAIMS[id]
    except KeyError:
        raise ValueError(f"unknown claim id {id!r}; available: {', '.join(available())}") from None


# --------------------------------------------------------------------------------------------- helpers
def _leaves(x: Any) -> list[np.ndarray]:
    return [np.asarray(v, dtype=np.float64) for v in (x if isinstance(x, (tuple, list)) else (x,))]


def _abs_inner(a: Any, b: Any) -> float:
    """Σ|a_i b_i|: the magnitude rounding errors of ⟨a, b⟩ are relative to."""
    return float(sum(np.sum(np.abs(x * y)) for x, y in zip(_leaves(a), _leaves(b))))


def identity_results(norm: Norm, draws: Sequence[Any], label: str) -> dict[str, CheckResult]:
    r"""Table 1 / SPEC §1.1 identities of ``norm`` on every draw g, each as one CheckResult over the draws.

    ``lmo``: ⟨g, lmo(g)⟩ = −‖g‖_*; ``unit``: ‖lmo(g)‖ = 1; ``sharp-inner``: ⟨g, g♯⟩ = ‖g‖_*²;
    ``sharp-norm``: ‖g♯‖² = ‖g‖_*²; for a :class:`~ggnc_theory.norms.Product` also ``product-dual``
    (‖g‖_* = Σ_l r_l‖g_l‖_{l,*}, SPEC §2.3) and ``product-dual-as-printed`` (Σ_l (1/r_l)‖g_l‖_{l,*}, SPEC §8
    erratum 7). Each comparison uses the one tolerance rule with the scale of its rounding errors.
    """
    rows: dict[str, tuple[list, list, list]] = {}

    def add(key: str, m: float, b: float, scale: float) -> None:
        ms, bs, ts = rows.setdefault(key, ([], [], []))
        ms.append(m)
        bs.append(b)
        ts.append(tolerance("float64", scale=scale))

    for g in draws:
        d, s = norm.dual_lmo(g, 1.0)
        d = float(d)
        sh = norm.sharp(g)
        add("lmo", float(tree_inner(g, s)), -d, d + _abs_inner(g, s))
        add("unit", float(norm(s)), 1.0, 1.0)
        add("sharp-inner", float(tree_inner(g, sh)), d * d, d * d + _abs_inner(g, sh))
        add("sharp-norm", float(norm(sh)) ** 2, d * d, d * d)
        if isinstance(norm, Product):
            blocks = [float(b._dual(gl)) for b, gl in zip(norm.blocks, g)]
            add("product-dual", d, sum(r * v for r, v in zip(norm.radii, blocks)), d)
            add("product-dual-as-printed", d, sum(v / r for r, v in zip(norm.radii, blocks)), d)
    statements = {
        "lmo": "⟨g, lmo(g)⟩ = −‖g‖_*",
        "unit": "‖lmo(g)‖ = 1",
        "sharp-inner": "⟨g, g♯⟩ = ‖g‖_*²",
        "sharp-norm": "‖g♯‖² = ‖g‖_*²",
        "product-dual": "‖g‖_* = Σ_l r_l‖g_l‖_{l,*} (Table 1, corrected text)",
        "product-dual-as-printed": "‖g‖_* = Σ_l (1/r_l)‖g_l‖_{l,*} (text as printed)",
    }
    out = {}
    for key, (ms, bs, ts) in rows.items():
        out[key] = judge_steps(
            f"{label}: {statements[key]}",
            ms,
            bs,
            ts,
            list(range(1, len(ms) + 1)),
            identity=True,
            parameters={"norm": repr(norm), "n_draws": len(ms)},
        )
    return out


def compare(
    claim: str, measured: float, bound: float, *, parameters: Mapping[str, Any] | None = None
) -> CheckResult:
    """``measured ≤ bound`` under the one pass rule (float64, scale = the larger magnitude)."""
    scale = max(abs(float(measured)), abs(float(bound)))
    tol = tolerance("float64", scale=scale if scale > 0 else 1.0)
    return judge(claim, measured, bound, tol, parameters=parameters)


def constant_along(
    claim: str, values: Sequence[float], target: float, *, parameters: Mapping[str, Any] | None = None
) -> CheckResult:
    """``values[k−1] = target`` for every step k (identity, one pass rule, scale |target|)."""
    vals = [float(v) for v in values]
    tol = tolerance("float64", scale=abs(float(target)) or 1.0)
    return judge_steps(
        claim,
        vals,
        [float(target)] * len(vals),
        [tol] * len(vals),
        list(range(1, len(vals) + 1)),
        identity=True,
        parameters=parameters,
    )


def describe_problem(p: Any) -> str:
    """Short problem label for the report."""
    return str(getattr(p, "name", p))


def fmt_setting(**kw: Any) -> str:
    """``"γ=…, ρ=…"`` style label with 4 significant digits (deterministic)."""
    names = {"gamma": "γ", "rho": "ρ", "n": "n", "gamma_rho": "γρ"}
    parts = []
    for k, v in kw.items():
        if isinstance(v, float):
            v = "∞" if math.isinf(v) else f"{v:.4g}"
        parts.append(f"{names.get(k, k)}={v}")
    return ", ".join(parts)


# ============================================================================ deterministic-claim helpers
# (thm-4.7, limits, trust-region, poster-sd, unification, weight-decay, model-truncation)
def agree(
    claim: str,
    pairs: Sequence[tuple[Any, Any]],
    norm: Norm,
    *,
    factor: float = 1.0,
    parameters: Mapping[str, Any] | None = None,
) -> CheckResult:
    r"""Two computations agree: ``measured`` = max_i ‖a_i − b_i‖ (in ``norm``), ``bound`` = the atol of the
    one tolerance rule (float64, ``factor``) at the scale max_i max(‖a_i‖, ‖b_i‖, 1)."""
    devs, scale = [], 1.0
    for a, b in pairs:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        devs.append(float(norm(a - b)))
        scale = max(scale, float(norm(a)), float(norm(b)))
    bound = tolerance("float64", factor=factor, scale=scale).atol
    return judge(
        claim,
        max(devs),
        bound,
        tolerance("float64", scale=0.0),
        parameters={**dict(parameters or {}), "n_pairs": len(devs), "factor": factor, "scale": scale},
        details={"max_deviation": max(devs), "mean_deviation": float(np.mean(devs))},
    )


# ============================================================================ stochastic-claim helpers
# (paper_checks.stochastic: thm-4.9, thm-4.11, thm-b.5; paper_checks.lemma_b1: lemma-b.1, lemma-b.2)
#: Statistical (not numerical) thresholds of the stochastic claims: the two-sided level of the bootstrap CI
#: of a fitted log-log slope, its number of resamples, and the family-wise error of the one-sided tests of
#: inequalities between expectations (Bonferroni-split over every comparison of one family).
SLOPE_CI_LEVEL = 0.95
N_BOOTSTRAP = 2000
FAMILY_ERROR = 0.01


def loglog_slope(
    ns: Sequence[int], samples: Sequence[Sequence[float]], *, seed: int, level: float = SLOPE_CI_LEVEL
) -> tuple[float, float, float]:
    r"""OLS slope of log(mean of ``samples[i]``) against log ``ns[i]``, and its percentile bootstrap CI.

    ``samples[i]`` are the per-seed values at horizon ``ns[i]`` (independent runs); each bootstrap resample
    redraws the seeds of every horizon independently (:data:`N_BOOTSTRAP` resamples, generator seeded with
    ``seed``: same inputs ⇒ same interval). The CI reflects the seed noise only, not a misfit of the power
    law. Returns ``(slope, ci_low, ci_high)``.
    """
    x = np.log(np.asarray(ns, dtype=np.float64))
    xc = (x - x.mean()) / float(np.sum((x - x.mean()) ** 2))  # slope = Σ xc_i·log(m_i) (Σ xc_i = 0)
    data = [np.asarray(s, dtype=np.float64) for s in samples]
    rng = np.random.default_rng(seed)
    boot = np.stack([s[rng.integers(0, s.size, (N_BOOTSTRAP, s.size))].mean(axis=1) for s in data], axis=1)
    lo, hi = np.quantile(np.log(boot) @ xc, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(np.log([s.mean() for s in data]) @ xc), float(lo), float(hi)


def mean_leq(
    claim: str,
    lhs: np.ndarray,
    rhs: np.ndarray,
    steps: Sequence[int],
    *,
    n_tests: int,
    hypotheses_failed: Sequence[str] = (),
    parameters: Mapping[str, Any] | None = None,
) -> CheckResult:
    r"""E[lhs_j] ≤ E[rhs_j] for every column j, from paired per-seed samples of shape (S, m).

    An inequality between expectations estimated by sample means: column j counts as violated only if the
    one-sided Student-t lower confidence bound of E[lhs_j − rhs_j] is positive, at level
    :data:`FAMILY_ERROR`/``n_tests`` (Bonferroni over the ``n_tests`` comparisons of the family, so a true
    statement is reported violated with probability ≤ FAMILY_ERROR under the normal approximation of a mean
    of S seeds). Per column: measured = mean(lhs_j) − t·se_j, bound = mean(rhs_j), se_j the standard error
    of the paired difference; compared with the float64 rule (:func:`verify._result.judge_steps`).
    """
    from scipy import stats

    lhs, rhs = np.asarray(lhs, dtype=np.float64), np.asarray(rhs, dtype=np.float64)
    S = lhs.shape[0]
    t = float(stats.t.ppf(1.0 - FAMILY_ERROR / n_tests, S - 1))
    se = np.std(lhs - rhs, axis=0, ddof=1) / math.sqrt(S)
    m, b = lhs.mean(axis=0) - t * se, rhs.mean(axis=0)
    tols = [tolerance("float64", scale=max(abs(x), abs(y)) or 1.0) for x, y in zip(m, b)]
    stat = {"n_seeds": S, "t_quantile": t, "n_tests": n_tests, "family_error": FAMILY_ERROR}
    return judge_steps(
        claim,
        m,
        b,
        tols,
        list(steps),
        applicable=not hypotheses_failed,
        hypotheses_failed=hypotheses_failed,
        parameters={**dict(parameters or {}), **stat},
        details={"max_standard_error": float(np.max(se))},
    )


def record_momentum(algorithm: Any) -> tuple[Any, list]:
    """``(algorithm′, ds)``: the same algorithm whose step also appends its new momentum d^k (a float64
    host copy) to the list ``ds`` — to measure λ^k = d^k − ∇f(x^k) on a run (Lemma B.1)."""
    import dataclasses

    ds: list = []

    def step(x: Any, g: Any, state: Any):
        out = algorithm.step(x, g, state)
        ds.append(np.array(out[1].d, dtype=np.float64, copy=True))
        return out

    return dataclasses.replace(algorithm, step=step), ds


def momentum_error_runs(
    make_algorithm: Callable[[], Any], problem: Any, n: int, seed: int, n_seeds: int
) -> tuple[np.ndarray, np.ndarray]:
    """‖λ^k‖₂² = ‖d^k − ∇f(x^k)‖₂² and ‖∇f(x^k)‖_* over ``n_seeds`` stochastic runs of ``make_algorithm()``
    (a fresh algorithm per run; run i draws from ``default_rng([seed, n, i])``), each of shape (seeds, n)."""
    errs, grads = [], []
    for i in range(n_seeds):
        alg, ds = record_momentum(make_algorithm())
        rng = np.random.default_rng([seed, n, i])
        t = run_algorithm(alg, problem, n, stochastic=True, rng=rng, keep_iterates=True)
        lam = np.stack(ds) - t.gradients
        errs.append(np.sum(lam.reshape(n, -1) ** 2, axis=1))
        grads.append(t.grad_dual_norm)
    return np.array(errs), np.array(grads)


def recursion_leq(
    claim: str, blocks_claim: str, errors: np.ndarray, rhs: np.ndarray, n_blocks: int, **kw: Any
) -> tuple[CheckResult, CheckResult]:
    """A momentum-error recursion (Lemmas B.1, B.3): E‖λ^k‖₂² ≤ E[rhs_k] for k = 2..n, ``errors`` (seeds, n)
    and ``rhs`` (seeds, n − 1); per step, and summed over ``n_blocks`` blocks of consecutive k (implied by the
    per-step statement; the noise of consecutive errors telescopes inside a block, so it is the sharper test).
    ``kw``: ``hypotheses_failed`` and ``parameters`` of :func:`mean_leq`."""
    n = errors.shape[1]
    steps = list(range(2, n + 1))
    starts = np.linspace(0, n - 1, n_blocks + 1).astype(int)[:-1]  # block j: k = 2 + starts[j], …
    n_tests = len(steps) + n_blocks
    per_k = mean_leq(claim, errors[:, 1:], rhs, steps, n_tests=n_tests, **kw)
    blocks = mean_leq(
        blocks_claim,
        np.add.reduceat(errors[:, 1:], starts, axis=1),
        np.add.reduceat(rhs, starts, axis=1),
        [int(k) + 2 for k in starts],
        n_tests=n_tests,
        **kw,
    )
    return per_k, blocks


def uniform_leq(
    printed: tuple[str, str], corrected: tuple[str, str], errors: np.ndarray,
    constants: Mapping[str, Any], params: Mapping[str, Any],
) -> tuple[CheckResult, CheckResult, float]:
    """A uniform momentum-error bound (Lemmas B.2, B.4): E‖λ^k‖₂² ≤ B for every k as printed, vs the corrected
    k-dependent B_k (the registry entry's bound at param k). ``printed``, ``corrected`` = (theorem id, claim
    text); ``errors`` (seeds, n). Returns both results and the printed B."""
    n = errors.shape[1]
    steps, parameters = list(range(1, n + 1)), {"constants": constants, "params": params, "n": n}
    p_thm, c_thm = T.get(printed[0]), T.get(corrected[0])
    B = p_thm.bound(constants, params, n)
    Bk = np.array([c_thm.bound(constants, {**params, "k": k}, n) for k in range(1, n + 1)])
    out = []
    for claim, thm, bound in ((printed[1], p_thm, B), (corrected[1], c_thm, Bk)):
        out.append(mean_leq(
            claim, errors, np.broadcast_to(bound, errors.shape), steps, n_tests=2 * n,
            hypotheses_failed=thm.check_hypotheses(constants, params, n), parameters=parameters,
        ))
    return out[0], out[1], B
