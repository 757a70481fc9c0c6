r"""Checkers: the paper's claims evaluated on recorded runs, returning :class:`~verify._result.CheckResult`.

* :func:`check_descent` — per-step inequalities f(x^{k+1}) ≤ f(x^k) − δ_k
  (:data:`ggnc_theory.theorems.DESCENT_RULES`).
  ``measured`` is the decrease δ_k the rule guarantees, ``bound`` the decrease f(x^k) − f(x^{k+1}) the run
  realised; the worst step is reported.
* :func:`check_rate` — a theorem's quantity (min/average over the run, or over several runs for the stochastic
  theorems) against ``theorem.bound(constants, params, n)``.
* :func:`check_step_length` — GGNC/SD/uCG step lengths ‖x^{k+1} − x^k‖ against their closed forms.
* :func:`check_feasibility` — S3CG/Frank–Wolfe iterates stay in βD.
* :func:`check_hypothesis_symbolic` — exact algebraic claims with sympy.

Every numeric verdict uses the one pass rule of :mod:`verify._result` with tolerances from
:func:`ggnc_theory.tolerances.tolerance` for the run's dtype; ``factor`` (default 1) scales it and must be
justified at the call site. The hypotheses convention (``applicable`` / ``holds`` / ``passed``, ``mode``) is
described in :mod:`verify._result`.

**Geometry.** By default quantities are taken from the record, i.e. in the run's own geometry. Passing
``norm=`` re-measures ‖∇f(x^k)‖_*, ‖x^{k+1} − x^k‖ and gaps in *that* geometry from the kept iterates and
gradients (``run(..., keep_iterates=True)``): this is how a run that clips in the wrong norm is caught — the
claim is judged in the geometry its constants refer to, whatever the run says about itself.

Constants default to the problem constants recorded in ``trajectory.meta["constants"]``; explicit
``constants`` override them. Parameters default to ``trajectory.meta["params"]`` (plus ``stochastic``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ggnc_theory import theorems as _thm
from ggnc_theory.norms import Norm
from ggnc_theory.runner import Trajectory
from ggnc_theory.tolerances import Tolerance, tolerance

from ._result import CheckResult, judge, judge_steps

__all__ = [
    "SYMBOLIC_CLAIMS",
    "check_descent",
    "check_feasibility",
    "check_hypothesis_symbolic",
    "check_rate",
    "check_step_length",
]

_ALIASES = {"clipped_gd": "ggnc", "normalized_gd": "ucg"}


# --------------------------------------------------------------------------------------------- helpers
def _algo(traj: Trajectory) -> str:
    name = str(traj.meta.get("algorithm", ""))
    return _ALIASES.get(name, name)


def _params(traj: Trajectory, params: Mapping[str, Any] | None) -> dict:
    p = dict(traj.meta.get("params", {}))
    p["stochastic"] = bool(traj.meta.get("stochastic", False))
    p.update(params or {})
    return p


def _constants(traj: Trajectory, constants: Mapping[str, Any] | None) -> dict:
    c = {k: v for k, v in dict(traj.meta.get("constants", {})).items() if isinstance(v, (int, float))}
    c.update(constants or {})
    return c


def _dtype(traj: Trajectory) -> str:
    return str(traj.meta.get("dtype", "float64"))


def _run_info(traj: Trajectory) -> dict:
    keys = (
        "algorithm",
        "problem",
        "norm",
        "problem_norm",
        "n_steps",
        "stochastic",
        "seed",
        "dtype",
        "backend",
    )
    return {k: traj.meta.get(k) for k in keys} | {"status": traj.status, "nit": traj.nit}


def _tol(traj: Trajectory, factor: float, scale: float) -> Tolerance:
    scale = float(scale)
    return tolerance(_dtype(traj), factor=factor, scale=scale if math.isfinite(scale) and scale > 0 else 1.0)


def _require_every_step(traj: Trajectory, what: str) -> None:
    it = np.asarray(traj.iteration)
    if it.size == 0:
        raise ValueError(f"trajectory: {what} needs at least one recorded step")
    if it.size != traj.nit or not np.array_equal(it, np.arange(1, it.size + 1)):
        raise ValueError(f"trajectory: {what} needs every step recorded (run with record_every=1)")


def _require_iterates(traj: Trajectory, what: str) -> None:
    if traj.iterates is None or traj.gradients is None:
        raise ValueError(f"trajectory: {what} needs iterates and gradients (run with keep_iterates=True)")


def _point(stack: Any, i: int) -> Any:
    return tuple(s[i] for s in stack) if isinstance(stack, tuple) else stack[i]


def _sub(a: Any, b: Any) -> Any:
    return tuple(x - y for x, y in zip(a, b)) if isinstance(a, tuple) else a - b


def _inner(a: Any, b: Any) -> float:
    if isinstance(a, tuple):
        return float(sum(np.vdot(np.ravel(x), np.ravel(y)) for x, y in zip(a, b)))
    return float(np.vdot(np.ravel(a), np.ravel(b)))


def _mean_point(points: list) -> Any:
    if isinstance(points[0], tuple):
        return tuple(np.mean(np.stack([p[i] for p in points]), axis=0) for i in range(len(points[0])))
    return np.mean(np.stack(points), axis=0)


def _f_next(traj: Trajectory) -> np.ndarray:
    """f(x^{k+1}) for every recorded step k; +∞ for the step into a divergence."""
    last = math.inf if traj.diverged else float(traj.f_final)
    return np.append(traj.f[1:], last)


def _next_point(traj: Trajectory, i: int) -> Any:
    n = traj.iteration.size
    if i + 1 < n:
        return _point(traj.iterates, i + 1)
    return None if traj.diverged else traj.x_final


def _grad_duals(traj: Trajectory, norm: Norm | None) -> np.ndarray:
    if norm is None:
        return np.asarray(traj.grad_dual_norm, dtype=np.float64)
    _require_iterates(traj, "re-measuring ‖∇f(x^k)‖_* in another geometry")
    return np.array([float(norm.dual(_point(traj.gradients, i))) for i in range(traj.iteration.size)])


def _step_norms(traj: Trajectory, norm: Norm | None) -> np.ndarray:
    if norm is None:
        return np.asarray(traj.step_norm, dtype=np.float64)
    _require_iterates(traj, "measuring ‖x^{k+1} − x^k‖")
    out = []
    for i in range(traj.iteration.size):
        nxt = _next_point(traj, i)
        out.append(math.inf if nxt is None else float(norm(_sub(nxt, _point(traj.iterates, i)))))
    return np.array(out)


def _deterministic(p: Mapping[str, Any]) -> bool:
    return float(p.get("alpha", 1.0)) == 1.0 and not p.get("stochastic", False)


def _gaps(traj: Trajectory, norm: Norm | None, beta: float, p: Mapping[str, Any]) -> np.ndarray:
    """gap(x^k) = ⟨∇f(x^k), x^k⟩ + β‖∇f(x^k)‖_* (the Wolfe gap over βD)."""
    if norm is not None:
        _require_iterates(traj, "the Wolfe gap in a given geometry")
        return np.array(
            [
                _inner(_point(traj.gradients, i), _point(traj.iterates, i))
                + beta * float(norm.dual(_point(traj.gradients, i)))
                for i in range(traj.iteration.size)
            ]
        )
    if traj.fw_gap is not None and _deterministic(p):
        return np.asarray(traj.fw_gap, dtype=np.float64)
    raise ValueError(
        "trajectory: the Wolfe gap of ∇f needs the geometry (pass norm=) and kept iterates, unless the "
        "run is a deterministic constrained method that recorded fw_gap"
    )


def _algorithm_hypothesis(expected: Sequence[str], traj: Trajectory) -> list[str]:
    if expected and _algo(traj) not in expected:
        return [f"the run is {' or '.join(expected)} (it is {traj.meta.get('algorithm')!r})"]
    return []


# --------------------------------------------------------------------------------------------- descent
def check_descent(
    trajectory: Trajectory,
    rule: str | _thm.DescentRule,
    constants: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    norm: Norm | None = None,
    mode: str = "claim",
    factor: float = 1.0,
) -> CheckResult:
    r"""Check a per-step inequality f(x^{k+1}) ≤ f(x^k) − δ_k at every step of a run.

    Args:
        trajectory: a run recorded at every step (``record_every=1``); the generic rules ``"l0l1"`` and
            ``"l-smooth"`` and ``norm=`` also need ``keep_iterates=True``.
        rule: a :data:`ggnc_theory.theorems.DESCENT_RULES` id: ``"ggnc"``
            (Thm 4.3: δ = (γ/2)min{‖∇f‖_*², ρ‖∇f‖_*}),
            ``"sd"``, ``"ucg"`` (L-smooth), ``"ucg-l0l1-loose"`` (Thm 4.5 proof), ``"s3cg"`` (½ restored),
            ``"s3cg-as-printed"``, ``"l0l1"`` (SPEC §1.3), ``"l-smooth"``.
        constants: ``L0, L1`` or ``L`` as the rule needs (default: the problem constants of the record).
        params: overrides of the run's parameters (γ, ρ, β, α).
        norm: judge the claim in this geometry (re-measured from the kept iterates and gradients).
        mode: ``"claim"`` or ``"inequality"`` (see :mod:`verify._result`).
        factor: tolerance factor (see :func:`ggnc_theory.tolerances.tolerance`).

    Returns:
        The worst step's comparison: ``measured`` = guaranteed decrease δ_k, ``bound`` = realised decrease
        f(x^k) − f(x^{k+1}). ``details`` holds violation counts and the regimes visited (GGNC: clipped / SD
        regime in the judged geometry; S3CG: Case I / Case II).
    """
    r = _thm.get_rule(rule) if isinstance(rule, str) else rule
    _require_every_step(trajectory, f"check_descent[{r.id}]")
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is judged, not warned about
        return _check_descent(trajectory, r, constants, params, norm, mode, factor)


def _check_descent(trajectory, r, constants, params, norm, mode, factor) -> CheckResult:
    c, p = _constants(trajectory, constants), _params(trajectory, params)
    failed = _algorithm_hypothesis(r.algorithms, trajectory) + r.check_hypotheses(c, p)
    f_k = np.asarray(trajectory.f, dtype=np.float64)
    f_next = _f_next(trajectory)
    steps = np.asarray(trajectory.iteration)
    keep = np.ones(steps.size, dtype=bool)
    details: dict[str, Any] = {"rule": r.statement, "run_clipped_fraction": trajectory.clipped_fraction}

    if r.id in ("ggnc", "sd", "ucg", "ucg-l0l1-loose"):
        g = _grad_duals(trajectory, norm)
        gamma = float(p["gamma"])
        if r.id == "ggnc":
            rho = float(p["rho"])
            delta = _thm.ggnc_descent(g, gamma, rho)
            clip = g > rho
        elif r.id == "sd":
            delta = _thm.sd_descent(g, gamma, float(c["L"]))
        elif r.id == "ucg":
            delta = _thm.ucg_descent(g, gamma, float(p["rho"]), float(c["L"]))
        else:
            delta = _thm.ucg_descent_loose(g, gamma, float(p["rho"]), float(c["L0"]), float(c["L1"]))
    elif r.id in ("s3cg", "s3cg-as-printed"):
        gap = _gaps(trajectory, norm, float(p["beta"]), p)
        clip = np.asarray(trajectory.clipped, dtype=bool)
        variant = "corrected" if r.variant == "corrected" else "as_printed"
        delta = _thm.s3cg_descent(
            gap, trajectory.eta, float(p["gamma"]), float(p["rho"]), clip, variant=variant
        )
    elif r.id in ("l0l1", "l-smooth"):
        _require_iterates(trajectory, f"check_descent[{r.id}]")
        inner = []
        for i in range(steps.size):
            nxt = _next_point(trajectory, i)
            inner.append(
                math.inf
                if nxt is None
                else _inner(_point(trajectory.gradients, i), _sub(nxt, _point(trajectory.iterates, i)))
            )
        inner = np.array(inner)
        dist = _step_norms(trajectory, norm)
        if r.id == "l-smooth":
            delta = _thm.l_smooth_descent(inner, dist, float(c["L"]))
        else:
            L0, L1 = float(c["L0"]), float(c["L1"])
            g = _grad_duals(trajectory, norm)
            keep = dist * L1 <= 1.0 if L1 > 0 else np.ones(steps.size, dtype=bool)
            delta = _thm.l0l1_descent(inner, g, dist, L0, L1)
            details["skipped_steps_beyond_1_over_L1"] = int(np.count_nonzero(~keep))
            if not keep.any():
                failed = failed + ["some step has ‖x^{k+1} − x^k‖ <= 1/L1 (Assumption 4.2 radius)"]
                keep = np.ones(steps.size, dtype=bool)
    else:  # pragma: no cover - registry and dispatch are kept in sync by the tests
        raise ValueError(f"rule: no checker for {r.id!r}")

    realised = f_k - f_next
    scale = np.maximum(
        np.maximum(np.abs(f_k), np.abs(np.where(np.isfinite(f_next), f_next, 0.0))), np.abs(delta)
    )
    tols = [_tol(trajectory, factor, s) for s in scale[keep]]
    if r.id in ("ggnc", "s3cg", "s3cg-as-printed"):
        names = ("clipped", "unclipped") if r.id == "ggnc" else ("case_I", "case_II")
        kc = clip[keep]
        viol = np.array([not t.leq(m, b) for t, m, b in zip(tols, delta[keep], realised[keep])], dtype=bool)
        details["regimes"] = {names[0]: int(np.count_nonzero(kc)), names[1]: int(np.count_nonzero(~kc))}
        details["violations_by_regime"] = {
            names[0]: int(np.count_nonzero(viol & kc)),
            names[1]: int(np.count_nonzero(viol & ~kc)),
        }
    return judge_steps(
        f"descent[{r.id}] {r.statement}",
        delta[keep],
        realised[keep],
        tols,
        steps[keep],
        applicable=not failed,
        hypotheses_failed=failed,
        mode=mode,
        parameters={
            "rule": r.id,
            "constants": c,
            "params": p,
            "norm": repr(norm) if norm else None,
            "run": _run_info(trajectory),
            "factor": factor,
        },
        details=details,
    )


# --------------------------------------------------------------------------------------------- rates
def _as_list(trajectory: Trajectory | Sequence[Trajectory]) -> list[Trajectory]:
    trajs = [trajectory] if isinstance(trajectory, Trajectory) else list(trajectory)
    if not trajs or not all(isinstance(t, Trajectory) for t in trajs):
        raise ValueError("trajectory: expected a Trajectory or a non-empty sequence of Trajectory")
    return trajs


def _measure(
    trajs: list[Trajectory], measure: str, norm: Norm | None, p: Mapping[str, Any]
) -> tuple[float, list]:
    if any(t.diverged for t in trajs):
        return math.inf, [math.inf if t.diverged else math.nan for t in trajs]
    if measure in ("min_grad", "avg_grad"):
        per = [_grad_duals(t, norm) for t in trajs]
        vals = [float(np.min(g) if measure == "min_grad" else np.mean(g)) for g in per]
        return float(np.mean(vals)), vals
    beta = float(p["beta"])
    if measure in ("min_gap", "avg_gap"):
        vals = []
        for t in trajs:
            gap = _gaps(t, norm, beta, _params(t, p))
            vals.append(float(np.min(gap) if measure == "min_gap" else np.mean(gap)))
        return float(np.mean(vals)), vals
    if measure == "sup_u_avg_inner":
        if norm is None:
            raise ValueError("norm: sup_u (1/n)Σ⟨∇f(x^k), x^k − u⟩ needs the geometry of βD (pass norm=)")
        grads, inner, vals = [], [], []
        for t in trajs:
            _require_iterates(t, "sup_u_avg_inner")
            gs = [_point(t.gradients, i) for i in range(t.iteration.size)]
            ins = [_inner(g, _point(t.iterates, i)) for i, g in enumerate(gs)]
            gbar = _mean_point(gs)
            vals.append(float(np.mean(ins)) + beta * float(norm.dual(gbar)))
            grads.extend(gs)
            inner.extend(ins)
        return float(np.mean(inner)) + beta * float(norm.dual(_mean_point(grads))), vals
    raise ValueError(f"measure: unknown measure {measure!r}; available: {sorted(_thm.MEASURES)}")


def check_rate(
    trajectory: Trajectory | Sequence[Trajectory],
    theorem: str | _thm.Theorem,
    constants: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    norm: Norm | None = None,
    measure: str | None = None,
    mode: str = "claim",
    factor: float = 1.0,
) -> CheckResult:
    r"""Compare a theorem's quantity on a run (or runs) with ``theorem.bound(constants, params, n)``.

    Args:
        trajectory: one run, or several independent runs of the same horizon n for the stochastic theorems
            (their quantities are averaged: the bounds are on expectations, and the average is compared with
            the
            one pass rule, without a statistical margin). Every step must be recorded.
        theorem: a :class:`~ggnc_theory.theorems.Theorem` or its id (``kind="rate"``).
        constants: the theorem's constants. ``Delta`` defaults to f(x¹) − f_star when ``f_star`` is known.
        params: overrides of the run's parameters.
        norm: geometry for re-measuring (needed by ``sup_u_avg_inner`` and by gaps of stochastic runs).
        measure: override of ``theorem.measure`` (e.g. ``"min_grad"`` for the literal min_k statement).
        mode, factor: as for :func:`check_descent`.

    Returns:
        ``measured`` = the quantity, ``bound`` = the theorem's right-hand side at n = number of steps.
        ``applicable`` is False when a hypothesis fails (listed; in ``mode="claim"`` the result then passes
        vacuously). A diverged run measures +∞. ``details`` holds the per-run values and, if the theorem has
        a printed/corrected counterpart, its bound at the same inputs.
    """
    thm = _thm.get(theorem) if isinstance(theorem, str) else theorem
    if thm.kind != "rate" or thm.measure is None:
        raise ValueError(
            f"theorem: {thm.id} is a {thm.kind} without a trajectory quantity; evaluate thm.bound directly"
        )
    trajs = _as_list(trajectory)
    for t in trajs:
        _require_every_step(t, f"check_rate[{thm.id}]")
    n = trajs[0].nit
    if any(t.nit != n for t in trajs):
        raise ValueError("trajectory: all runs must have the same number of steps n")
    c, p = _constants(trajs[0], constants), _params(trajs[0], params)
    p["stochastic"] = any(bool(t.meta.get("stochastic", False)) for t in trajs) or p.get("stochastic", False)
    if c.get("Delta") is None:
        if c.get("f_star") is None:
            raise ValueError(f"{thm.id}: missing constant 'Delta' (or 'f_star' to compute Δ = f(x¹) − f⋆)")
        c["Delta"] = float(np.mean([t.f[0] for t in trajs])) - float(c["f_star"])
    m_key = measure or thm.measure
    failed = _algorithm_hypothesis(
        (thm.algorithm,) if thm.algorithm else (), trajs[0]
    ) + thm.check_hypotheses(c, p, n)
    bound = thm.bound(c, p, n)
    value, per_run = _measure(trajs, m_key, norm, p)
    details: dict[str, Any] = {
        "measure": m_key,
        "quantity": _thm.MEASURES[m_key],
        "n_runs": len(trajs),
        "per_run": per_run,
        "variant": thm.variant,
        "note": thm.note,
    }
    if thm.counterpart:
        other = _thm.get(thm.counterpart)
        try:
            details["counterpart"] = {"id": other.id, "variant": other.variant, "bound": other.bound(c, p, n)}
        except ValueError as exc:  # e.g. the corrected form needs an extra constant
            details["counterpart"] = {
                "id": other.id,
                "variant": other.variant,
                "bound": None,
                "why": str(exc),
            }
    scale = max(abs(value) if math.isfinite(value) else 0.0, abs(bound) if math.isfinite(bound) else 0.0)
    return judge(
        f"{thm.id} [{thm.variant}]: {_thm.MEASURES[m_key].split('  (')[0]} ≤ bound",
        value,
        bound,
        _tol(trajs[0], factor, scale),
        applicable=not failed,
        hypotheses_failed=failed,
        mode=mode,
        parameters={
            "theorem": thm.id,
            "constants": c,
            "params": p,
            "n": n,
            "norm": repr(norm) if norm else None,
            "runs": [_run_info(t) for t in trajs],
            "factor": factor,
        },
        details=details,
    )


# --------------------------------------------------------------------------------------------- invariants
_STEP_ALGOS = ("ggnc", "steepest_descent", "ucg")


def check_step_length(
    trajectory: Trajectory,
    params: Mapping[str, Any] | None = None,
    *,
    norm: Norm,
    theorem: str | _thm.Theorem = "trust-region-step-corrected",
    mode: str = "claim",
    factor: float = 1.0,
) -> CheckResult:
    r"""Check the step-length identity at every step (SPEC §2.2, §7).

    * GGNC: ‖x^{k+1} − x^k‖ = γ·min{ρ, ‖d^k‖_*} (``theorem="trust-region-step-corrected"``, the default; the
      as-printed trust-region reading ``"trust-region-step"`` predicts min{ρ, γ‖d^k‖_*}, SPEC §8 erratum 8);
    * SD: γ‖d^k‖_*;  uCG: γρ.

    ``measured`` is ‖x^{k+1} − x^k‖ measured in ``norm`` from the iterates (the run needs
    ``keep_iterates=True``; the recorded ``step_norm`` is the closed form by construction, so checking it would
    prove nothing), ``bound`` the closed form, compared as an identity (``Tolerance.close``). ‖d^k‖_* is
    re-measured as ‖∇f(x^k)‖_* in ``norm``, which needs a deterministic run. ``details`` reports max_k
    step/(γρ) (Remark 4.4: at most 1).
    """
    _require_every_step(trajectory, "check_step_length")
    algo = _algo(trajectory)
    if algo not in _STEP_ALGOS:
        raise ValueError(f"trajectory: check_step_length supports {_STEP_ALGOS} (and aliases), not {algo!r}")
    p = _params(trajectory, params)
    if not isinstance(norm, Norm):
        raise ValueError("norm: check_step_length measures ‖x^{k+1} − x^k‖ in a given geometry (a Norm)")
    if True:
        if not _deterministic(p):
            raise ValueError(
                "norm: re-measuring ‖d^k‖_* as ‖∇f(x^k)‖_* needs a deterministic run (alpha = 1)"
            )
        d = _grad_duals(trajectory, norm)
    else:
        d = np.asarray(trajectory.d_dual_norm, dtype=np.float64)
    measured = _step_norms(trajectory, norm)
    gamma = float(p["gamma"])
    thm = None
    if algo == "ggnc":
        thm = _thm.get(theorem) if isinstance(theorem, str) else theorem
        rho = float(p["rho"])
        expected = np.array([thm.bound({}, {"gamma": gamma, "rho": rho, "d_dual": di}, 1) for di in d])
        claim = f"{thm.id} [{thm.variant}]: {thm.statement}"
    elif algo == "steepest_descent":
        expected = gamma * d
        claim = "step length (SD): ‖x^{k+1} − x^k‖ = γ‖d^k‖_*"
    else:
        expected = np.full(d.shape, gamma * float(p["rho"]))
        claim = "step length (uCG): ‖x^{k+1} − x^k‖ = γρ"
    xs = np.zeros(d.shape)
    if trajectory.iterates is not None and norm is not None:
        xs = np.array([float(norm(_point(trajectory.iterates, i))) for i in range(d.size)])
    scale = np.maximum(np.maximum(np.abs(measured), np.abs(expected)), xs)
    details: dict[str, Any] = {}
    if "rho" in p and algo != "steepest_descent":
        with np.errstate(all="ignore"):
            details["max_step_over_gamma_rho"] = float(np.max(measured) / (gamma * float(p["rho"])))
    return judge_steps(
        claim,
        measured,
        expected,
        [_tol(trajectory, factor, s) for s in scale],
        np.asarray(trajectory.iteration),
        identity=True,
        mode=mode,
        parameters={
            "params": p,
            "norm": repr(norm) if norm else None,
            "theorem": thm.id if thm else None,
            "run": _run_info(trajectory),
            "factor": factor,
        },
        details=details,
    )


def check_feasibility(
    trajectory: Trajectory,
    beta: float | None = None,
    *,
    norm: Norm | None = None,
    params: Mapping[str, Any] | None = None,
    mode: str = "claim",
    factor: float = 1.0,
) -> CheckResult:
    r"""Check that the iterates of a constrained method stay in βD = {‖x‖ ≤ β} (SPEC §2.5).

    With ``norm`` and kept iterates, ‖x^k‖ ≤ β is checked directly for k = 1..n+1 (``worst_step`` n+1 is the
    final iterate). Otherwise the recorded coefficients certify it: S3CG writes
    x^{k+1} = (1 − γη_k)x^k + γη_k·β·lmo(d^k), a convex combination of points of βD iff γη_k ∈ [0, 1]
    (Frank–Wolfe: η_k ∈ [0, 1]); each step is checked as γη_k ≤ 1 and −γη_k ≤ 0.

    Hypothesis (SPEC §2.5): γρ ≤ 1 for S3CG (η_k ≤ ρ); with iterates and ``norm`` also ‖x¹‖ ≤ β.
    """
    _require_every_step(trajectory, "check_feasibility")
    p = _params(trajectory, params)
    if beta is None:
        if "beta" not in p:
            raise ValueError("beta: not given and the run has no parameter beta")
        beta = p["beta"]
    beta = float(beta)
    if not (beta > 0 and math.isfinite(beta)):
        raise ValueError(f"beta must be finite and > 0, got {beta!r}")
    algo = _algo(trajectory)
    failed: list[str] = []
    gr = float(p["gamma"]) * float(p["rho"]) if "gamma" in p and "rho" in p else None
    if gr is not None and not tolerance().leq(gr, 1.0):  # hypotheses use the float64 rule, as in theorems
        failed.append("gamma*rho <= 1 (SPEC §2.5 feasibility of S3CG)")
    steps = np.asarray(trajectory.iteration)
    info = {
        "params": p,
        "beta": beta,
        "norm": repr(norm) if norm else None,
        "run": _run_info(trajectory),
        "factor": factor,
    }
    if norm is not None and trajectory.iterates is not None:
        xs = [float(norm(_point(trajectory.iterates, i))) for i in range(steps.size)]
        xs.append(math.inf if trajectory.diverged else float(norm(trajectory.x_final)))
        if not tolerance(_dtype(trajectory)).leq(xs[0], beta):
            failed.append("‖x^1‖ <= beta (feasible start)")
        m = np.array(xs)
        tols = [_tol(trajectory, factor, beta) for _ in m]
        return judge_steps(
            f"feasibility: ‖x^k‖ ≤ β = {beta:g} for k = 1..n+1",
            m,
            np.full(m.shape, beta),
            tols,
            np.append(steps, steps[-1] + 1),
            applicable=not failed,
            hypotheses_failed=failed,
            mode=mode,
            parameters=info,
            details={"method": "iterates", "max_norm": float(np.max(m))},
        )
    if algo not in ("s3cg", "frank_wolfe"):
        raise ValueError(
            "trajectory: without iterates and norm= the feasibility certificate needs an s3cg or "
            f"frank_wolfe run, not {algo!r}"
        )
    coef = np.asarray(trajectory.eta, dtype=np.float64) * (float(p["gamma"]) if algo == "s3cg" else 1.0)
    m = np.concatenate([coef, -coef])
    b = np.concatenate([np.ones_like(coef), np.zeros_like(coef)])
    return judge_steps(
        "feasibility certificate: γη_k ∈ [0, 1] (x^{k+1} a convex combination of x^k and β·lmo(d^k))",
        m,
        b,
        [_tol(trajectory, factor, 1.0) for _ in m],
        np.concatenate([steps, steps]),
        applicable=not failed,
        hypotheses_failed=failed,
        mode=mode,
        parameters=info,
        details={
            "method": "certificate",
            "max_coefficient": float(np.max(coef)),
            "min_coefficient": float(np.min(coef)),
        },
    )


# --------------------------------------------------------------------------------------------- symbolic
SYMBOLIC_CLAIMS = {
    "thm-4.3-special-violates-hypothesis": (
        "ρ = L0/L1, γ = 1/L0 make 1 − γ(L0 + ρL1)/2 = 0 and γ > 1/(L0 + ρL1)"
    ),
    "thm-4.3-special-corrected-meets-hypothesis": (
        "ρ = L0/L1, γ = 1/(2L0) give γ = 1/(L0 + ρL1) (equality) and factor ½"
    ),
    "thm-4.3-special-from-general": (
        "the general Thm 4.3 bound at the special choices equals the special-case formulas"
    ),
    "s3cg-variant1-fw-short-step": (
        "S3CG Variant 1 with γ = 1/L, ρ = L has γη = min{1, ⟨g,v⟩/(L‖v‖²)} (FW short step)"
    ),
    "ggnc-hypothesis": "γ ≤ 1/(L0 + ρL1) for all L0, L1 > 0, for given expressions gamma= and rho=",
}


def _symbolic_result(claim: str, proved: bool, value: float, details: dict, params: dict) -> CheckResult:
    status = "PASS" if proved else "FAIL"
    msg = f"{status}: {claim}: {SYMBOLIC_CLAIMS[claim]} — " + ", ".join(
        f"{k} = {v}" for k, v in details.items()
    )
    return CheckResult(
        claim=f"symbolic[{claim}]",
        passed=proved,
        measured=value,
        bound=0.0,
        ratio=math.nan,
        slack=-value if math.isfinite(value) else math.nan,
        tolerance=(0.0, 0.0),  # exact: decided by sympy, not by a floating-point comparison
        worst_step=None,
        parameters=params,
        message=msg,
        applicable=True,
        holds=proved,
        details=details,
    )


def check_hypothesis_symbolic(claim: str, *, gamma: str | None = None, rho: str | None = None) -> CheckResult:
    r"""Prove an algebraic claim exactly with sympy (all constants positive symbols).

    Claims (:data:`SYMBOLIC_CLAIMS`):

    * ``"thm-4.3-special-violates-hypothesis"`` — with ρ = L0/L1, γ = 1/L0 the descent factor
      1 − γ(L0 + ρL1)/2 is exactly 0 and 1/(L0 + ρL1) − γ = −1/(2L0) < 0 (SPEC §8 erratum 1);
    * ``"thm-4.3-special-corrected-meets-hypothesis"`` — γ = 1/(2L0) meets it with equality (factor ½);
    * ``"thm-4.3-special-from-general"`` — √(Δ/(γn)) + 2Δ/(γρn) at those choices is √(L0Δ/n) + 2L1Δ/n and
      √(2L0Δ/n) + 4L1Δ/n;
    * ``"s3cg-variant1-fw-short-step"`` — γ·min{ρ, a/‖v‖²} = min{1, a/(L‖v‖²)} at γ = 1/L, ρ = L (proved in
      the
      two cases a ≥ L‖v‖² and a ≤ L‖v‖²);
    * ``"ggnc-hypothesis"`` — for sympy expressions ``gamma`` and ``rho`` in L0, L1, L, Delta, n: passes iff
      1/(L0 + ρL1) − γ ≥ 0 is proved.

    ``passed`` is the proof's outcome; ``measured`` is the key residual when it is a number (else nan);
    ``tolerance`` is (0, 0): the verdict is exact.
    """
    if claim not in SYMBOLIC_CLAIMS:
        raise ValueError(
            f"claim: unknown symbolic claim {claim!r}; available: {', '.join(sorted(SYMBOLIC_CLAIMS))}"
        )
    import sympy as sp

    L0, L1, L, Delta, n = sp.symbols("L0 L1 L Delta n", positive=True)
    ns = {"L0": L0, "L1": L1, "L": L, "Delta": Delta, "n": n}

    def num(e) -> float:
        return float(e) if e.is_number else math.nan

    def factor_slack(g, r):
        return sp.simplify(1 - g * (L0 + r * L1) / 2), sp.simplify(1 / (L0 + r * L1) - g)

    if claim == "thm-4.3-special-violates-hypothesis":
        fac, slack = factor_slack(1 / L0, L0 / L1)
        proved = bool(fac == 0) and bool(slack.is_negative)
        return _symbolic_result(
            claim,
            proved,
            num(fac),
            {"factor": str(fac), "hypothesis_slack": str(slack)},
            {"gamma": "1/L0", "rho": "L0/L1"},
        )
    if claim == "thm-4.3-special-corrected-meets-hypothesis":
        fac, slack = factor_slack(1 / (2 * L0), L0 / L1)
        proved = bool(slack == 0) and bool(sp.simplify(fac - sp.Rational(1, 2)) == 0)
        return _symbolic_result(
            claim,
            proved,
            num(slack),
            {"factor": str(fac), "hypothesis_slack": str(slack)},
            {"gamma": "1/(2*L0)", "rho": "L0/L1"},
        )
    if claim == "thm-4.3-special-from-general":

        def general(g, r):
            return sp.sqrt(Delta / (g * n)) + 2 * Delta / (g * r * n)

        r1 = sp.simplify(general(1 / L0, L0 / L1) - (sp.sqrt(L0 * Delta / n) + 2 * L1 * Delta / n))
        r2 = sp.simplify(general(1 / (2 * L0), L0 / L1) - (sp.sqrt(2 * L0 * Delta / n) + 4 * L1 * Delta / n))
        proved = bool(r1 == 0) and bool(r2 == 0)
        return _symbolic_result(
            claim,
            proved,
            num(r1),
            {"residual_special": str(r1), "residual_corrected": str(r2)},
            {"general": "sqrt(Delta/(gamma*n)) + 2*Delta/(gamma*rho*n)"},
        )
    if claim == "s3cg-variant1-fw-short-step":
        v2, s = sp.symbols("v2 s", positive=True)  # v2 = ‖v‖² > 0; s ≥ 0 parametrises each case
        residuals = []
        for t in (1 + s, 1 / (1 + s), sp.Integer(1)):  # t = a/(L‖v‖²): t ≥ 1, t ≤ 1, t = 1
            a = t * L * v2
            gam, rh = 1 / L, L
            eta = sp.Min(rh, a / v2)
            residuals.append(sp.simplify(gam * eta - sp.Min(1, a / (L * v2))))
        proved = all(r == 0 for r in residuals)
        return _symbolic_result(
            claim,
            proved,
            0.0 if proved else math.nan,
            {"residuals_by_case": [str(r) for r in residuals]},
            {"gamma": "1/L", "rho": "L", "eta": "min{rho, a/v2}"},
        )
    # ggnc-hypothesis
    if gamma is None or rho is None:
        raise ValueError(
            "ggnc-hypothesis needs gamma= and rho= expressions (e.g. gamma='1/(2*L0)', rho='L0/L1')"
        )
    try:
        g = sp.sympify(gamma, locals=ns)
        r = sp.sympify(rho, locals=ns)
    except (sp.SympifyError, TypeError) as exc:
        raise ValueError(f"gamma/rho: cannot parse ({exc})") from None
    fac, slack = factor_slack(g, r)
    proved = bool(slack.is_nonnegative)
    return _symbolic_result(
        claim,
        proved,
        num(slack),
        {"factor": str(fac), "hypothesis_slack": str(slack)},
        {"gamma": str(g), "rho": str(r)},
    )


# --------------------------------------------------------------------------------------------- certificates
def check_l0l1_certificate(
    problem: Any,
    rng: np.random.Generator | int,
    *,
    L0: float | None = None,
    L1: float | None = None,
    n_pairs: int = 10_000,
) -> CheckResult:
    r"""Sample ≥ ``n_pairs`` admissible pairs and check Assumption 4.2 with (L0, L1) (default: the problem's).

    A thin wrapper over :func:`problems.certify.certify` (random pairs, ±gradient and ±lmo directions, witness
    pairs at the derived maximiser, a hill-climb on the ratio). ``measured`` is the largest ratio
    ‖∇f(x) − ∇f(y)‖_* / ((L0 + L1‖∇f(x)‖_*)‖x − y‖) over pairs far above rounding, ``bound`` is 1; the check
    passes only if no pair violates the inequality under the tolerance rule. ``details`` holds the counts, the
    tightness (max ratio ≥ ½) and the worst pair, so a failure can be reproduced.
    """
    from problems.certify import certify

    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(int(rng))
    cert = certify(problem, gen, n_pairs=n_pairs, L0=L0, L1=L1)
    claim = f"Assumption 4.2 with (L0, L1) = ({cert.L0:.6g}, {cert.L1:.6g}) on {cert.n_pairs} sampled pairs"
    result = judge(
        claim,
        cert.max_ratio,
        1.0,
        tolerance("float64"),
        parameters={"L0": cert.L0, "L1": cert.L1, "problem": cert.problem},
        details={
            "n_pairs": cert.n_pairs,
            "n_violations": cert.n_violations,
            "n_skipped": cert.n_skipped,
            "tight": cert.tight,
            "worst_excess": cert.worst_excess,
        },
    )
    if cert.n_violations and result.passed:
        # a violation too close to rounding to count for the ratio is still a violation
        result = dataclasses.replace(
            result, passed=False, holds=False, message=f"{cert.n_violations} sampled pairs violate the inequality"
        )
    return result
