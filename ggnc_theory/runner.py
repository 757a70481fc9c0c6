r"""One runner, one record: :func:`run` drives an :class:`~ggnc_theory.algorithms.Algorithm` on a problem and
returns a frozen :class:`Trajectory`.

Indexing follows the paper: the iterates are x^1, …, x^{n+1}; step k (k = 1..n) maps x^k to x^{k+1} using the
oracle value at x^k. Per-step arrays hold, for every recorded k, the quantities at x^k and of step k.

The runner never prints. A NaN or an infinity in f or a gradient ends the run with status ``"diverged"``; the
trajectory then holds the steps before that point only — never NaN values.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._backend import (
    NonFiniteError,
    Point,
    backend_name,
    check_finite,
    device_of,
    is_block,
    to_float,
    tree_to_numpy,
)
from ._io import atomic_write, atomic_write_text
from ._version import __version__
from .algorithms import ALGORITHMS, Algorithm, StepInfo
from .norms import Norm

__all__ = ["ProblemLike", "Trajectory", "run", "STATUSES"]

STATUSES = {
    "completed": "all requested steps were taken",
    "diverged": "f or a gradient became non-finite",
    "stopped": "the callback asked to stop",
}

_SCHEMA = "ggnc-theory/trajectory/1"


@runtime_checkable
class ProblemLike(Protocol):
    """The minimal problem protocol the runner needs.

    Required: ``name``, ``norm`` (the geometry its constants refer to), ``x0`` (default x^1), ``f(x)`` and
    ``grad(x)``. Optional: ``stochastic_grad(x, rng)`` (unbiased oracle, Assumption 4.8) and constants as
    attributes ``L0``, ``L1``, ``L``, ``f_star`` (recorded in the metadata when present).
    """

    name: str
    norm: Norm
    x0: Point

    def f(self, x: Point) -> Any: ...

    def grad(self, x: Point) -> Point: ...


_ARRAY_FIELDS = ("iteration", "f", "grad_dual_norm", "d_dual_norm", "eta", "clipped", "step_norm", "fw_gap")


@dataclass(frozen=True, eq=False)
class Trajectory:
    r"""The record of one run (host NumPy arrays; one entry per recorded step k).

    Attributes:
        iteration: the recorded step indices k (1-based).
        f: f(x^k).
        grad_dual_norm: ‖∇f(x^k)‖_* of the *true* gradient, in the algorithm's geometry.
        d_dual_norm: ‖d^k‖_* of the direction the step used (momentum / stochastic estimate).
        eta: η_k of the step.
        clipped: whether step k was capped (see :class:`~ggnc_theory.algorithms.StepInfo`).
        step_norm: ‖x^{k+1} − x^k‖ measured in the algorithm's geometry.
        fw_gap: ⟨d^k, x^k − β lmo(d^k)⟩ for constrained methods, else None.
        f_final, grad_dual_norm_final: at the last finite iterate (x^{n+1} for a completed run).
        x_final: that iterate, on the host (a tuple of arrays for block points).
        iterates, gradients: x^k and ∇f(x^k) at the recorded steps, stacked (only with ``keep_iterates``).
        nit: number of steps taken.
        status: one of :data:`STATUSES`; message: a human-readable explanation.
        meta: algorithm and parameters, geometries, problem, seed, back end, device, dtype, package version.
    """

    iteration: np.ndarray
    f: np.ndarray
    grad_dual_norm: np.ndarray
    d_dual_norm: np.ndarray
    eta: np.ndarray
    clipped: np.ndarray
    step_norm: np.ndarray
    fw_gap: np.ndarray | None
    f_final: float
    grad_dual_norm_final: float
    x_final: Any
    nit: int
    status: str
    message: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    iterates: Any = None
    gradients: Any = None

    # --- summaries ---
    @property
    def min_grad_dual_norm(self) -> float:
        """min over recorded k of ‖∇f(x^k)‖_* (the quantity of Thm 4.3 / 4.5 / Prop 4.1)."""
        return float(np.min(self.grad_dual_norm)) if self.grad_dual_norm.size else math.nan

    @property
    def clipped_fraction(self) -> float:
        """Fraction of recorded steps in the clipped regime."""
        return float(np.mean(self.clipped)) if self.clipped.size else math.nan

    @property
    def diverged(self) -> bool:
        """True if the run stopped on a non-finite value."""
        return self.status == "diverged"

    # --- persistence ---
    def save(self, path: str | os.PathLike) -> tuple[Path, Path]:
        """Write ``<path>.json`` (metadata and scalars) and ``<path>.npz`` (arrays); returns both paths.

        Both files are written to temporary names first and renamed, so an error never leaves a partial pair.
        """
        base = _base(path)
        base.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for name in _ARRAY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                arrays[name] = value
        _put_point(arrays, "x_final", self.x_final)
        if self.iterates is not None:
            _put_point(arrays, "iterates", self.iterates)
            _put_point(arrays, "gradients", self.gradients)
        doc = {
            "schema": _SCHEMA,
            "f_final": self.f_final,
            "grad_dual_norm_final": self.grad_dual_norm_final,
            "nit": self.nit,
            "status": self.status,
            "message": self.message,
            "meta": dict(self.meta),
            "x_final_is_block": is_block(self.x_final),
            "has_iterates": self.iterates is not None,
        }
        text = json.dumps(doc, indent=2, sort_keys=True, allow_nan=False)
        json_path, npz_path = base.with_suffix(".json"), base.with_suffix(".npz")

        def write_npz(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)

        # arrays first: a JSON file only ever exists next to the complete arrays it describes
        atomic_write(npz_path, write_npz)
        atomic_write_text(json_path, text)
        return json_path, npz_path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Trajectory:
        """Read a trajectory written by :meth:`save` (give the same path, with or without suffix)."""
        base = _base(path)
        json_path, npz_path = base.with_suffix(".json"), base.with_suffix(".npz")
        for p in (json_path, npz_path):
            if not p.exists():
                raise FileNotFoundError(f"path: trajectory file {p} does not exist")
        try:
            doc = json.loads(json_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"path: {json_path} is not valid JSON ({exc})") from None
        if doc.get("schema") != _SCHEMA:
            raise ValueError(f"path: {json_path} is not a ggnc-theory trajectory (schema {doc.get('schema')!r})")
        with np.load(npz_path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        arrays = {name: data.get(name) for name in _ARRAY_FIELDS}
        return cls(
            **arrays,
            f_final=doc["f_final"],
            grad_dual_norm_final=doc["grad_dual_norm_final"],
            x_final=_get_point(data, "x_final", doc["x_final_is_block"]),
            nit=doc["nit"],
            status=doc["status"],
            message=doc["message"],
            meta=MappingProxyType(doc["meta"]),
            iterates=_get_point(data, "iterates", doc["x_final_is_block"]) if doc["has_iterates"] else None,
            gradients=_get_point(data, "gradients", doc["x_final_is_block"]) if doc["has_iterates"] else None,
        )

    def equals(self, other: Trajectory) -> bool:
        """Exact equality of every array, scalar and metadata entry."""
        if not isinstance(other, Trajectory):
            return False
        for name in _ARRAY_FIELDS:
            a, b = getattr(self, name), getattr(other, name)
            if (a is None) != (b is None):
                return False
            if a is not None and not (a.dtype == b.dtype and np.array_equal(a, b)):
                return False
        for name in ("x_final", "iterates", "gradients"):
            if not _point_equal(getattr(self, name), getattr(other, name)):
                return False
        scalars = ("f_final", "grad_dual_norm_final", "nit", "status", "message")
        return all(getattr(self, s) == getattr(other, s) for s in scalars) and dict(self.meta) == dict(other.meta)


def _base(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.with_suffix("") if p.suffix in (".json", ".npz") else p


def _put_point(arrays: dict, key: str, x: Any) -> None:
    if is_block(x):
        for i, a in enumerate(x):
            arrays[f"{key}__{i}"] = a
    else:
        arrays[key] = x


def _get_point(data: dict, key: str, block: bool) -> Any:
    if not block:
        return data[key]
    parts = []
    i = 0
    while f"{key}__{i}" in data:
        parts.append(data[f"{key}__{i}"])
        i += 1
    return tuple(parts)


def _point_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if is_block(a) != is_block(b):
        return False
    if is_block(a):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


# --------------------------------------------------------------------------------------------- run
def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _json_scalar(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else repr(v)
    if v is None or isinstance(v, str):
        return v
    return repr(v)


def _resolve_rng(rng: Any, stochastic: bool) -> tuple[np.random.Generator | None, dict]:
    if rng is None:
        if stochastic:
            raise ValueError("rng: stochastic=True needs an explicit seed (int) or numpy.random.Generator")
        return None, {"seed": None}
    if isinstance(rng, np.random.Generator):
        state = rng.bit_generator.state
        return rng, {"seed": None, "rng_state": json.loads(json.dumps(state, default=int))}
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng)), {"seed": int(rng)}
    raise ValueError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def run(
    algorithm: Algorithm,
    problem: ProblemLike,
    n_steps: int,
    *,
    x0: Point | None = None,
    rng: np.random.Generator | int | None = None,
    stochastic: bool = False,
    record_every: int = 1,
    callback: Callable[[int, Point, StepInfo], Any] | None = None,
    keep_iterates: bool = False,
) -> Trajectory:
    r"""Run ``algorithm`` for ``n_steps`` steps on ``problem`` and return its :class:`Trajectory`.

    Args:
        algorithm: an :class:`~ggnc_theory.algorithms.Algorithm` (e.g. from :func:`~ggnc_theory.algorithms.ggnc`).
        problem: any object following :class:`ProblemLike`.
        n_steps: the horizon n ≥ 1.
        x0: the starting point x^1 (default ``problem.x0``); its back end, dtype and device are kept.
        rng: seed or ``numpy.random.Generator`` for the stochastic oracle (required when ``stochastic``).
        stochastic: use ``problem.stochastic_grad(x, rng)`` as the oracle instead of ``problem.grad``.
        record_every: record every this many steps (step 1 and step n are always recorded).
        callback: ``callback(k, x_next, info)`` after step k; a truthy return value stops the run.
        keep_iterates: also keep x^k and ∇f(x^k) of the recorded steps (host copies; memory grows with n).

    Returns:
        The :class:`Trajectory`; ``status`` tells whether it completed, diverged or was stopped.
    """
    if not isinstance(algorithm, Algorithm):
        raise ValueError(f"algorithm must be a ggnc_theory.algorithms.Algorithm, got {type(algorithm).__name__}")
    for attr in ("f", "grad"):
        if not callable(getattr(problem, attr, None)):
            raise ValueError(f"problem: missing callable '{attr}' (see ggnc_theory.runner.ProblemLike)")
    n_steps = _positive_int(n_steps, "n_steps")
    record_every = _positive_int(record_every, "record_every")
    if stochastic and not callable(getattr(problem, "stochastic_grad", None)):
        raise ValueError(f"stochastic: problem {getattr(problem, 'name', problem)!r} has no stochastic_grad oracle")
    gen, rng_meta = _resolve_rng(rng, stochastic)
    if x0 is None:
        x0 = getattr(problem, "x0", None)
        if x0 is None:
            raise ValueError("x0: no starting point given and the problem has no default x0")
    check_finite(x0, "x0")
    norm = algorithm.norm

    meta = _metadata(algorithm, problem, x0, n_steps, record_every, stochastic, rng_meta)
    rec: dict[str, list] = {name: [] for name in _ARRAY_FIELDS}
    its: list = []
    grads: list = []

    # For this package's algorithms without momentum (frank_wolfe has no alpha and uses g), d^k is the oracle
    # value itself and info.dual_norm is ‖∇f(x^k)‖_*; a user-built Algorithm is never trusted with that.
    reuse_dual = algorithm.name in ALGORITHMS and float(algorithm.params.get("alpha", 1.0)) == 1.0
    x = x0
    state = algorithm.init(x)
    status, message = "completed", f"completed {n_steps} steps"
    last_f, last_gn, last_x = math.nan, math.nan, x
    nit = 0

    with np.errstate(all="ignore"):  # a diverging run is reported through its status, not through warnings
        for k in range(1, n_steps + 1):
            recording = k == 1 or k == n_steps or (k - 1) % record_every == 0
            if recording or not stochastic:
                ok, fx, gx, why = _evaluate(problem, x, need_f=recording)
                if not ok:
                    status, message = "diverged", f"diverged at step k={k}: {why}"
                    break
            if stochastic:
                try:
                    g = problem.stochastic_grad(x, gen)
                except (OverflowError, FloatingPointError) as exc:
                    status, message = "diverged", f"diverged at step k={k}: stochastic gradient raised {exc}"
                    break
            else:
                g = gx
            # The step's geometry validates its input (a NaN/inf in the gradient, or in the momentum built from
            # it, raises NonFiniteError), so the runner does not scan the gradient a second time.
            try:
                x_next, state, info = algorithm.step(x, g, state)
            except (NonFiniteError, OverflowError) as exc:
                which = "stochastic gradient" if stochastic else "gradient"
                status, message = "diverged", f"diverged at step k={k}: non-finite {which} ({exc})"
                break
            if recording:
                # Deterministic without momentum, d^k = ∇f(x^k): the step already computed ‖∇f(x^k)‖_*.
                same = reuse_dual and not stochastic
                gn = to_float(info.dual_norm) if same else _dual_or_nan(norm, gx)
                if not math.isfinite(gn):
                    status, message = "diverged", f"diverged at step k={k}: non-finite gradient"
                    break
                last_f, last_gn, last_x = fx, gn, x
            nit = k
            if recording:
                rec["iteration"].append(k)
                rec["f"].append(fx)
                rec["grad_dual_norm"].append(gn)
                rec["d_dual_norm"].append(to_float(info.dual_norm))
                rec["eta"].append(to_float(info.eta))
                rec["clipped"].append(bool(to_float(info.clipped)))
                rec["step_norm"].append(to_float(info.step_norm))
                rec["fw_gap"].append(None if info.fw_gap is None else to_float(info.fw_gap))
                if keep_iterates:
                    its.append(tree_to_numpy(x))
                    grads.append(tree_to_numpy(gx))
            x = x_next
            if callback is not None and callback(k, x, info):
                status, message = "stopped", f"stopped by the callback after step k={k}"
                break

        if status != "diverged":
            ok, fx, gx, why = _evaluate(problem, x, need_f=True)
            gn = _dual_or_nan(norm, gx) if ok else math.nan
            if ok and math.isfinite(gn):
                last_f, last_gn, last_x = fx, gn, x
            else:
                why = why or "non-finite gradient"
                status, message = "diverged", f"diverged at the final iterate x^{nit + 1}: {why}"

    fw = rec["fw_gap"]
    arrays = {
        "iteration": np.asarray(rec["iteration"], dtype=np.int64),
        "clipped": np.asarray(rec["clipped"], dtype=bool),
        "fw_gap": None if (not fw or fw[0] is None) else np.asarray(fw, dtype=np.float64),
    }
    for name in ("f", "grad_dual_norm", "d_dual_norm", "eta", "step_norm"):
        arrays[name] = np.asarray(rec[name], dtype=np.float64)
    return Trajectory(
        **arrays,
        f_final=last_f,
        grad_dual_norm_final=last_gn,
        x_final=tree_to_numpy(last_x),
        nit=nit,
        status=status,
        message=message,
        meta=MappingProxyType(meta),
        iterates=_stack(its) if keep_iterates else None,
        gradients=_stack(grads) if keep_iterates else None,
    )


def _stack(points: list) -> Any:
    if not points:
        return None
    if isinstance(points[0], tuple):
        return tuple(np.stack([p[i] for p in points]) for i in range(len(points[0])))
    return np.stack(points)


def _evaluate(problem: ProblemLike, x: Point, *, need_f: bool) -> tuple[bool, float, Point, str]:
    """f(x) (when needed) and ∇f(x); the gradient's finiteness is checked where it is used."""
    try:
        fx = to_float(problem.f(x)) if need_f else 0.0
        if not math.isfinite(fx):
            return False, fx, None, f"f(x) = {fx}"
        gx = problem.grad(x)
    except (OverflowError, FloatingPointError) as exc:
        return False, math.nan, None, f"the oracle raised {type(exc).__name__}: {exc}"
    return True, fx, gx, ""


def _dual_or_nan(norm: Norm, g: Point) -> float:
    """‖g‖_* as a float, NaN when g is not finite (the runner reports that as divergence)."""
    try:
        return to_float(norm.dual(g))
    except (NonFiniteError, OverflowError):
        return math.nan


def _metadata(algorithm, problem, x0, n_steps, record_every, stochastic, rng_meta) -> dict:
    leaf = x0[0] if is_block(x0) else x0
    meta: dict[str, Any] = {
        "algorithm": algorithm.name,
        "params": {k: _json_scalar(v) for k, v in algorithm.params.items()},
        "norm": repr(algorithm.norm),
        "problem": str(getattr(problem, "name", type(problem).__name__)),
        "problem_norm": repr(getattr(problem, "norm", None)),
        "n_steps": n_steps,
        "record_every": record_every,
        "stochastic": bool(stochastic),
        "backend": backend_name(x0),
        "device": str(device_of(x0)),
        "dtype": str(leaf.dtype).replace("torch.", ""),
        "version": __version__,
        **rng_meta,
    }
    constants = {}
    for name in ("L0", "L1", "L", "f_star", "sigma2"):
        value = getattr(problem, name, None)
        if value is not None:
            constants[name] = _json_scalar(value)
    meta["constants"] = constants
    return meta
