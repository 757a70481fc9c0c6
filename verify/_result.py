r"""``CheckResult`` and the one pass rule of the checkers (STYLE B7).

**The pass rule.** Every numeric verdict is ``holds = Tolerance.leq(measured, bound)`` (a non-tight bound:
measured ≤ bound + atol + rtol·|bound|) or ``Tolerance.close(measured, bound)`` (an identity), with the
``Tolerance`` taken from :func:`ggnc_theory.tolerances.tolerance` for the run's dtype — never a local
constant.
Per-step checks apply the same rule step by step and report the worst step.

**Hypotheses convention.** A claim is an implication *hypotheses ⇒ inequality*. A result carries

* ``applicable`` — all hypotheses hold (``hypotheses_failed`` lists the ones that do not);
* ``holds`` — the inequality holds under the pass rule, whatever the hypotheses;
* ``passed`` — in ``mode="claim"`` (default): ``holds or not applicable`` — the claim is falsified only
  when its hypotheses hold and the inequality is violated; in ``mode="inequality"``: ``holds`` (the
  inequality is tested as if the hypotheses held, e.g. to show that violating a hypothesis really breaks
  descent).

``status`` summarises: ``"PASS"`` (passed and applicable), ``"N/A"`` (passed only because a hypothesis fails),
``"FAIL"`` (not passed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ggnc_theory.tolerances import Tolerance

__all__ = ["MODES", "CheckResult", "judge", "judge_steps"]

MODES = ("claim", "inequality")


def _json(value: Any) -> Any:
    """A deterministic JSON-serialisable copy (non-finite floats become "nan"/"inf"/"-inf")."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, np.ndarray):
        return [_json(v) for v in value.tolist()]
    if isinstance(value, (Sequence, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_json(v) for v in items]
    return repr(value)


@dataclass(frozen=True)
class CheckResult:
    r"""The outcome of one check.

    Attributes:
        claim: what was checked (theorem or rule id and a short description).
        passed: the verdict (see the module docstring for the convention).
        measured, bound: the compared values (at the worst step for per-step checks).
        ratio: measured/bound (nan if bound is 0); slack: bound − measured.
        tolerance: ``(rtol, atol)`` used for the reported comparison.
        worst_step: the paper's step index k of the worst step (None for scalar checks).
        parameters: everything needed to reproduce the check (constants, params, n, run metadata).
        message: one human-readable line.
        applicable: all hypotheses hold; hypotheses_failed: the ones that do not.
        holds: the inequality holds under the pass rule.
        details: further diagnostics (counts, regimes, per-variant values).
    """

    claim: str
    passed: bool
    measured: float
    bound: float
    ratio: float
    slack: float
    tolerance: tuple[float, float]
    worst_step: int | None
    parameters: Mapping[str, Any]
    message: str
    applicable: bool = True
    holds: bool = True
    hypotheses_failed: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``"PASS"``, ``"N/A"`` (vacuous: a hypothesis fails) or ``"FAIL"``."""
        if not self.passed:
            return "FAIL"
        return "PASS" if self.applicable else "N/A"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable, deterministic dict (sorted keys; non-finite floats as strings)."""
        out = {
            "claim": self.claim,
            "passed": self.passed,
            "status": self.status,
            "measured": self.measured,
            "bound": self.bound,
            "ratio": self.ratio,
            "slack": self.slack,
            "tolerance": {"rtol": self.tolerance[0], "atol": self.tolerance[1]},
            "worst_step": self.worst_step,
            "parameters": self.parameters,
            "message": self.message,
            "applicable": self.applicable,
            "holds": self.holds,
            "hypotheses_failed": list(self.hypotheses_failed),
            "details": self.details,
        }
        return _json(out)


def _ratio(m: float, b: float) -> float:
    return m / b if b != 0 and math.isfinite(b) else math.nan


def _passed(holds: bool, applicable: bool, mode: str) -> bool:
    """The verdict from the rule's outcome and the hypotheses (the convention of the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return holds if mode == "inequality" else (holds or not applicable)


def _message(claim, status, m, b, holds, tol, applicable, failed, worst_step, extra, identity=False) -> str:
    rel = ("≈" if holds else "≠") if identity else ("≤" if holds else ">")
    where = f" at step k={worst_step}" if worst_step is not None else ""
    text = f"{status}: {claim}: measured {m:.6g} {rel} bound {b:.6g}{where}"
    text += f" (rtol={tol.rtol:.2g}, atol={tol.atol:.2g})"
    if not applicable:
        text += "; hypotheses fail: " + "; ".join(failed)
    if extra:
        text += "; " + extra
    return text


def judge(
    claim: str,
    measured: float,
    bound: float,
    tol: Tolerance,
    *,
    identity: bool = False,
    applicable: bool = True,
    hypotheses_failed: Sequence[str] = (),
    mode: str = "claim",
    worst_step: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    extra: str = "",
) -> CheckResult:
    """Apply the pass rule to one comparison: ``tol.leq(measured, bound)`` (``tol.close`` if ``identity``)."""
    m, b = float(measured), float(bound)
    holds = tol.close(m, b) if identity else tol.leq(m, b)
    passed = _passed(holds, applicable, mode)
    status = "FAIL" if not passed else ("PASS" if applicable else "N/A")
    return CheckResult(
        claim=claim,
        passed=passed,
        measured=m,
        bound=b,
        ratio=_ratio(m, b),
        slack=b - m,
        tolerance=(tol.rtol, tol.atol),
        worst_step=worst_step,
        parameters=dict(parameters or {}),
        message=_message(
            claim, status, m, b, holds, tol, applicable, hypotheses_failed, worst_step, extra, identity
        ),
        applicable=applicable,
        holds=holds,
        hypotheses_failed=tuple(hypotheses_failed),
        details=dict(details or {}),
    )


def judge_steps(
    claim: str,
    measured: Sequence[float],
    bound: Sequence[float],
    tols: Sequence[Tolerance],
    steps: Sequence[int],
    *,
    identity: bool = False,
    applicable: bool = True,
    hypotheses_failed: Sequence[str] = (),
    mode: str = "claim",
    parameters: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    extra: str = "",
) -> CheckResult:
    """Apply the pass rule step by step (``measured[i]`` vs ``bound[i]`` with ``tols[i]``); report the worst.

    The worst step is the one with the largest excess over its allowance (for identities, |m − b| minus the
    allowance), i.e. the first violated step in that order, or the tightest step when all hold.
    """
    m = np.asarray(measured, dtype=np.float64)
    b = np.asarray(bound, dtype=np.float64)
    if not (m.shape == b.shape == (len(tols),) == (len(steps),)):
        raise ValueError("judge_steps: measured, bound, tols and steps must have the same length")
    if m.size == 0:
        raise ValueError("judge_steps: no steps to check")
    ok = np.array(
        [t.close(mi, bi) if identity else t.leq(mi, bi) for t, mi, bi in zip(tols, m, b)], dtype=bool
    )
    rtol = np.array([t.rtol for t in tols])
    atol = np.array([t.atol for t in tols])
    with np.errstate(all="ignore"):
        if identity:
            allowance = atol + rtol * np.maximum(np.abs(m), np.abs(b))
            excess = np.abs(m - b) - allowance
        else:
            allowance = atol + rtol * np.abs(b)
            excess = m - b - allowance
        scaled = excess / np.where(allowance > 0, allowance, 1.0)
    scaled = np.where(np.isfinite(scaled), scaled, np.inf)  # non-finite values are the worst
    scaled = np.where(ok, np.minimum(scaled, 0.0), np.maximum(scaled, 1e-300))
    i = int(np.argmax(scaled))
    n_bad = int(np.count_nonzero(~ok))
    bad_steps = [int(steps[j]) for j in np.flatnonzero(~ok)[:10]]
    det = {
        "n_steps": int(m.size),
        "n_violations": n_bad,
        "first_violations": bad_steps,
        **dict(details or {}),
    }
    res = judge(
        claim,
        m[i],
        b[i],
        tols[i],
        identity=identity,
        applicable=applicable,
        hypotheses_failed=hypotheses_failed,
        mode=mode,
        worst_step=int(steps[i]),
        parameters=parameters,
        details=det,
        extra=(f"{n_bad}/{m.size} steps violate" + (f"; {extra}" if extra else "")),
    )
    if res.holds != (n_bad == 0):  # the worst step decides for all steps, by construction
        raise AssertionError("judge_steps: inconsistent worst-step selection")
    return res
