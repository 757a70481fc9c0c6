r"""Empirical (L0, L1) estimation from a PyTorch model or checkpoint (checkpoint mode).

The model's parameters are one point x = (W_1, …, W_D) of a product geometry (SPEC §5.1, Scion's
conventions, :func:`assign_geometry`):

* hidden matrices (2-D weights between the first and the last): ``Spectral(rms=True)`` — dual
  √(d_out/d_in)·‖G‖_{S1};
* embeddings (``nn.Embedding``), the input layer (the first weight of the network, when it is a matrix)
  and the head (the last 2-D weight): ``Sign`` — dual Σ|G_ij|/d_in;
* 1-D parameters (biases, norm gains): ``BiasRMS`` — dual √d·‖g‖₂;
* convolution kernels (ndim ≥ 3): ``SpectralConv``.

The global view is ``Product(blocks, radii)``, the geometry GGNC clips in: its dual norm is Σ_l r_l·‖g_l‖_{l,*}.
``geometry="spectral"`` uses the plain spectral norm for every matrix and ℓ2 for the rest, ``geometry="l2"``
ℓ2 for every block. Spectral blocks use the exact SVD by default; ``method="newton_schulz"`` makes them use
Newton–Schulz, and the report then gives per layer the ratio NS dual / exact dual on the sampled gradients
(the bias of the statistic ClippedScion clips on).

With ``layers`` (a regular expression) only the matching parameters are blocks; the others stay fixed at
their checkpoint values and the global view is the product over the selected blocks.

**Sampling design** (:func:`estimate`). Base points: the checkpoint x and ``samples − 1`` nearby points
x ± t·lmo(∇f(x)) in the product geometry (t on a geometric grid up to ``radius``·‖x‖). At each base point:

* *per layer* l: directional finite differences (:func:`verify.estimate.directional_samples`) in block l only
  (the other blocks fixed): toward ±lmo_l(∇_l f) and random extreme directions of the layer's ball;
  L̂ = ‖∇_l f(y) − ∇_l f(x)‖_{l,*}/‖y_l − x_l‖_l with regressor ‖∇_l f(x)‖_{l,*};
* *global*: the same in the product geometry;
* plus ``ggnc_steps`` GGNC steps from x in the product geometry and the secants of consecutive iterates.

Each pair uses **the same batch** at both points (same-batch mode: the minibatch noise cancels); base point
i uses batch i mod (number of batches). Computation runs on the device of the model's parameters, in float64
by default (finite differences in float32 are dominated by rounding).

**Loading** (:func:`load_checkpoint`) is safe: ``.safetensors`` (needs the ``safetensors`` package) or
``torch.load(..., weights_only=True)``; a checkpoint that needs arbitrary unpickling is refused, and missing,
unexpected or mis-shaped keys raise :class:`CheckpointError` listing them.

torch is imported lazily (inside the functions), so importing :mod:`verify` never imports it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ggnc_theory.norms import L2, BiasRMS, Norm, Product, Sign, Spectral, SpectralConv

from .estimate import Samples, directional_samples
from .fit import bootstrap, diagnose, fit_envelope

__all__ = [
    "GEOMETRIES",
    "CheckpointError",
    "LayerGeometry",
    "EstimateReport",
    "assign_geometry",
    "product_norm",
    "load_checkpoint",
    "load_state_dict",
    "estimate",
    "summary_table",
]

GEOMETRIES = ("scion", "spectral", "l2")
#: the columns of the CSV report (one row per layer and one "global" row)
COLUMNS = (
    "name", "role", "shape", "geometry", "radius", "n", "grad_dual_x", "L0", "L0_low", "L0_high",
    "L1", "L1_low", "L1_high", "slope", "slope_low", "slope_high", "verdict", "ns_bias_median",
)


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded safely or does not match the model (message lists the keys)."""


# --------------------------------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class LayerGeometry:
    """One block of the product geometry: parameter name, shape, Scion role, norm and radius r_l."""

    name: str
    shape: tuple
    role: str
    norm: Norm
    radius: float = 1.0


def assign_geometry(
    model: Any,
    geometry: str = "scion",
    *,
    layers: str | None = None,
    method: str = "svd",
    radii: dict[str, float] | None = None,
) -> list[LayerGeometry]:
    """The per-layer geometries of ``model``'s trainable parameters (Scion's rules, module docstring).

    Args:
        geometry: ``"scion"``, ``"spectral"`` or ``"l2"``.
        layers: a regular expression; only parameters whose name it matches (``re.search``) are blocks.
        method: ``"svd"`` or ``"newton_schulz"`` for the spectral blocks.
        radii: {regex: r_l}; the first matching pattern gives a block's radius (default 1).
    """
    import torch

    if geometry not in GEOMETRIES:
        raise ValueError(f"geometry: unknown {geometry!r}; available: {', '.join(GEOMETRIES)}")
    pat = re.compile(layers) if layers else None
    embed_params = {
        id(m.weight) for m in model.modules() if isinstance(m, (torch.nn.Embedding, torch.nn.EmbeddingBag))
    }
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    mats = [n for n, p in named if p.ndim == 2 and id(p) not in embed_params]
    weights = [n for n, p in named if p.ndim >= 2]
    # the input layer is the first weight of the network when it is a plain matrix (after an embedding or a
    # convolution a matrix is a hidden layer); the head is the last plain matrix
    first = weights[0] if weights and weights[0] in mats else None
    last = mats[-1] if mats else None
    out = []
    for n, p in named:
        if pat is not None and not pat.search(n):
            continue
        if p.ndim == 0:
            continue  # scalars (e.g. a learnable temperature) are not blocks of the Scion geometry
        shape = tuple(p.shape)
        if id(p) in embed_params:
            role = "embedding"
        elif p.ndim == 1:
            role = "bias"
        elif p.ndim >= 3:
            role = "conv"
        elif n == last:
            role = "head"
        elif n == first:
            role = "input"
        else:
            role = "hidden"
        if geometry == "l2":
            norm: Norm = L2()
        elif geometry == "spectral":
            if role == "conv":
                norm = SpectralConv(method=method)
            elif p.ndim == 2:
                norm = Spectral(method=method)
            else:
                norm = L2()
        else:
            norm = {
                "embedding": Sign(), "input": Sign(), "head": Sign(), "bias": BiasRMS(),
                "conv": SpectralConv(method=method), "hidden": Spectral(method=method, rms=True),
            }[role]
        r = 1.0
        for rp, val in (radii or {}).items():
            if re.search(rp, n):
                r = float(val)
                break
        out.append(LayerGeometry(n, shape, role, norm, r))
    if not out:
        raise ValueError(f"--layers: no trainable parameter matches {layers!r}" if layers else "model has no trainable parameters")
    return out


def product_norm(blocks: Sequence[LayerGeometry]) -> Product:
    """The global product geometry GGNC clips in: dual Σ_l r_l·‖g_l‖_{l,*}."""
    return Product(tuple(b.norm for b in blocks), tuple(b.radius for b in blocks))


# --------------------------------------------------------------------------------------------- loading
def load_state_dict(path: str | Path) -> dict:
    """Read a state dict safely: ``.safetensors`` or ``torch.load(weights_only=True)``; pickles refused."""
    import torch

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"checkpoint {str(p)!r} does not exist")
    if p.suffix == ".safetensors":
        try:
            from safetensors.torch import load_file
        except ImportError:
            raise CheckpointError(
                f"{p.name}: reading .safetensors needs the 'safetensors' package (pip install safetensors)"
            ) from None
        try:
            return dict(load_file(str(p), device="cpu"))
        except Exception as exc:  # noqa: BLE001 - any parse failure is a bad file
            raise CheckpointError(f"{p.name}: not a valid safetensors file ({type(exc).__name__})") from None
    try:
        obj = torch.load(str(p), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - the weights-only unpickler raises UnpicklingError / RuntimeError
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        if "weights_only" in text.lower().replace(" ", "_") or isinstance(exc, pickle.UnpicklingError):
            hit = re.search(r"Unsupported global: GLOBAL ([\w.]+)|unsupported [^\n]*?GLOBAL ([\w.]+)", text)
            what = f" (it references {hit.group(1) or hit.group(2)})" if hit else ""
            raise CheckpointError(
                f"{p.name}: refusing to load: the file needs arbitrary unpickling, which can execute code{what}; "
                f"only tensors / state dicts are accepted (torch.save(model.state_dict()) or .safetensors)"
            ) from None
        raise CheckpointError(f"{p.name}: cannot read checkpoint ({type(exc).__name__}: {first[:160]})") from None
    if isinstance(obj, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(obj.get(key), dict) and not isinstance(obj.get(key), torch.Tensor):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(f"{p.name}: expected a state dict (name → tensor), got {type(obj).__name__}")
    return dict(obj)


def load_checkpoint(model: Any, path: str | Path) -> Any:
    """Load ``path`` into ``model`` (strict: every key present, none extra, shapes equal); returns model.

    Tensors are copied onto the device of the model's parameters.
    """
    sd = load_state_dict(path)
    own = model.state_dict()
    missing = sorted(set(own) - set(sd))
    unexpected = sorted(set(sd) - set(own))
    shapes = sorted(
        f"{k} (checkpoint {tuple(sd[k].shape)}, model {tuple(own[k].shape)})"
        for k in set(own) & set(sd)
        if tuple(sd[k].shape) != tuple(own[k].shape)
    )
    problems = []
    if missing:
        problems.append("missing keys: " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected keys: " + ", ".join(unexpected))
    if shapes:
        problems.append("mis-shaped keys: " + ", ".join(shapes))
    if problems:
        raise CheckpointError(f"{Path(path).name} does not match the model: " + "; ".join(problems))
    model.load_state_dict(sd, strict=True)
    return model


# --------------------------------------------------------------------------------------------- adapter
class _Adapter:
    """Points = tuples of tensors (the selected blocks) on the model's device in the computation dtype;
    gradients via ``torch.func.functional_call``, returned as tensors on the same device (no host copies)."""

    def __init__(self, model: Any, blocks: Sequence[LayerGeometry], loss: Callable | None, dtype: Any) -> None:
        import torch

        self.torch = torch
        self.model = model
        self.names = [b.name for b in blocks]
        params = dict(model.named_parameters())
        ref = next(iter(params.values()))
        self.device = ref.device
        self.dtype = dtype if dtype is not None else ref.dtype
        self.fixed = {k: v.detach().to(self.dtype) if v.is_floating_point() else v.detach()
                      for k, v in list(params.items()) + list(model.named_buffers())}
        self.loss = loss if loss is not None else torch.nn.functional.cross_entropy

    def x0(self) -> tuple:
        # a copy: ``.to`` returns the parameter itself when the dtype already matches
        return tuple(self.fixed[n].clone() for n in self.names)

    def _batch(self, batch: Any) -> tuple:
        t = self.torch
        if isinstance(batch, dict):
            raise ValueError("batches must be (inputs, targets) pairs, got a dict")
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise ValueError(f"batches must be (inputs, targets) pairs, got {type(batch).__name__}")
        xb, yb = (t.as_tensor(v) for v in batch)
        xb = xb.to(self.device, self.dtype) if xb.is_floating_point() else xb.to(self.device)
        yb = yb.to(self.device, self.dtype) if yb.is_floating_point() else yb.to(self.device)
        return xb, yb

    def value_and_grad(self, point: Sequence, batch: tuple, wrt: int | None = None) -> tuple[float, tuple]:
        """(f(point), ∇f(point)); with ``wrt = l`` only the gradient of block l is computed (returned as a
        1-tuple): autograd then skips every weight gradient, and the backward pass below block l."""
        from torch.func import functional_call

        t = self.torch
        # detach: the point's own tensors must not start tracking gradients
        leaves = [t.as_tensor(a, dtype=self.dtype, device=self.device).detach() for a in point]
        idx = range(len(leaves)) if wrt is None else (wrt,)
        for i in idx:
            leaves[i].requires_grad_(True)
        params = dict(self.fixed)
        params.update(zip(self.names, leaves))
        xb, yb = batch
        out = functional_call(self.model, params, (xb,))
        val = self.loss(out, yb)
        wanted = [leaves[i] for i in idx]
        grads = t.autograd.grad(val, wanted, allow_unused=True)
        return float(val.detach()), tuple(t.zeros_like(a) if g is None else g.detach() for g, a in zip(grads, wanted))


def _sample_at(
    ad: _Adapter,
    blocks: Sequence[LayerGeometry],
    P: Product,
    x: tuple,
    batch: tuple,
    rng: np.random.Generator,
    *,
    radius: float,
    fractions: Sequence[float],
    n_random: int,
    seed: int,
    tick: Callable[[str], None] | None = None,
) -> tuple[tuple, dict, Samples]:
    """The samples at one base point x (same batch throughout): ∇f(x), the per-layer directional samples (block
    l moves, only ∇_l f is computed) and the global ones in the product geometry."""

    def full_grad(p: tuple) -> tuple:
        return ad.value_and_grad(p, batch)[1]

    gx = full_grad(x)
    per_layer = {}
    for li, b in enumerate(blocks):
        def layer_grad(a: Any, li: int = li) -> Any:
            return ad.value_and_grad(x[:li] + (a,) + x[li + 1:], batch, wrt=li)[1][0]

        scale = float(b.norm(x[li])) * radius or radius
        per_layer[b.name] = directional_samples(
            layer_grad, [x[li]], b.norm, rng, scale=scale, fractions=fractions, n_random=n_random, seed=seed)
        if tick is not None:
            tick(b.name)
    glob = directional_samples(full_grad, [x], P, rng, scale=radius * (float(P(x)) or 1.0), fractions=fractions,
                               n_random=n_random, seed=seed)
    if tick is not None:
        tick("global")
    return gx, per_layer, glob


# --------------------------------------------------------------------------------------------- report
@dataclass
class EstimateReport:
    """Per-layer and global estimates: ``rows`` (dicts with the :data:`COLUMNS`), the samples and meta."""

    rows: list
    samples: dict
    meta: dict = field(default_factory=dict)

    def row(self, name: str) -> dict:
        for r in self.rows:
            if r["name"] == name:
                return r
        raise KeyError(name)

    def to_dict(self) -> dict:
        return _jsonable({
            "meta": self.meta,
            "rows": self.rows,
            "samples": {
                k: {"grad_dual": s.grad_dual.tolist(), "lhat": s.lhat.tolist(), "step": s.step.tolist(),
                    "method": s.method, "norm": s.norm}
                for k, s in self.samples.items()
            },
        })

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        for r in self.rows:
            w.writerow({c: _csv_cell(r.get(c)) for c in COLUMNS})
        return buf.getvalue()

    def write(self, out_dir: str | Path, stem: str = "estimate") -> tuple[Path, Path]:
        """Write ``<stem>.json`` and ``<stem>.csv`` atomically into an existing directory."""
        from ggnc_theory._io import atomic_write_text

        d = Path(out_dir)
        if not d.is_dir():
            raise FileNotFoundError(f"output directory {str(d)!r} does not exist")
        pj = atomic_write_text(d / f"{stem}.json", json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n")
        pc = atomic_write_text(d / f"{stem}.csv", self.to_csv())
        return pj, pc


def _csv_cell(v: Any) -> Any:
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    if isinstance(v, tuple):
        return "x".join(str(i) for i in v)
    return "" if v is None else v


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def summary_table(report: EstimateReport) -> str:
    """A fixed-width table: one line per layer and the global row."""
    head = ("layer", "geometry", "n", "‖∇f‖_*", "L0 [CI]", "L1 [CI]", "slope", "verdict")
    lines = []
    for r in report.rows:
        lines.append((
            r["name"], r["geometry"].split("(")[0], str(r["n"]), _fmt(r["grad_dual_x"]),
            f"{_fmt(r['L0'])} [{_fmt(r['L0_low'])}, {_fmt(r['L0_high'])}]",
            f"{_fmt(r['L1'])} [{_fmt(r['L1_low'])}, {_fmt(r['L1_high'])}]",
            _fmt(r["slope"]), r["verdict"] + (f" (NS/SVD {_fmt(r['ns_bias_median'])})" if r.get("ns_bias_median") else ""),
        ))
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))] + [fmt.format(*x) for x in lines])


def _fit_row(s: Samples, rng: np.random.Generator, n_boot: int) -> dict:
    row: dict[str, Any] = {"n": len(s)}
    keys = ("L0", "L0_low", "L0_high", "L1", "L1_low", "L1_high", "slope", "slope_low", "slope_high")
    row.update({k: math.nan for k in keys})
    g, lh = s.grad_dual, s.lhat
    ok = np.isfinite(g) & np.isfinite(lh)
    if np.count_nonzero(ok) < 3:
        row["verdict"] = "too few samples"
        return row
    s = s.subset(ok)
    env = fit_envelope(s)
    row["L0"], row["L1"] = env.L0, env.L1
    ci = bootstrap(s, fit_envelope, rng, n_boot=n_boot)
    row["L0_low"], row["L0_high"] = float(ci.low["L0"]), float(ci.high["L0"])
    row["L1_low"], row["L1_high"] = float(ci.low["L1"]), float(ci.high["L1"])
    v = diagnose(s, rng, n_boot=n_boot)
    row["slope"], row["slope_low"], row["slope_high"] = v.slope.slope, v.slope.low, v.slope.high
    row["verdict"] = "supported" if v.supported else "no (L0,L1) model: " + "; ".join(v.reasons)
    return row


# --------------------------------------------------------------------------------------------- estimate
def estimate(
    model: Any,
    loss: Callable | None,
    batches: Iterable,
    *,
    geometry: str = "scion",
    layers: str | None = None,
    method: str = "svd",
    radii: dict[str, float] | None = None,
    samples: int = 6,
    seed: int = 0,
    radius: float = 0.05,
    fractions: Sequence[float] = (1.0, 0.1, 0.01),
    n_random: int = 2,
    ggnc_steps: int = 5,
    n_boot: int = 100,
    max_batches: int = 16,
    dtype: Any = "float64",
    out: str | Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> EstimateReport:
    r"""Per-layer and global (L0, L1) estimates of ``loss(model(inputs), targets)`` around the model's
    current parameters (sampling design in the module docstring).

    Args:
        model: an ``nn.Module`` (its parameters are the point x; its device is used).
        loss: ``loss(output, targets) -> scalar`` (default: cross-entropy).
        batches: an iterable of ``(inputs, targets)``; the first ``max_batches`` are used.
        geometry, layers, method, radii: see :func:`assign_geometry`.
        samples: the number of base points (the checkpoint and ``samples − 1`` nearby points).
        radius: perturbation scale relative to the norm of the point (per layer ‖x_l‖_l, global ‖x‖).
        fractions, n_random: step lengths (fractions of the scale) and random directions per base point.
        ggnc_steps: GGNC steps from x in the product geometry (consecutive-iterate secants).
        dtype: computation dtype (``"float64"`` default; ``None`` keeps the model's).
        out: if given, an existing directory: ``estimate.json`` and ``estimate.csv`` are written atomically.
        progress: ``progress(i, total, label)`` after each unit of work.
    """
    import torch

    if int(samples) < 1:
        raise ValueError(f"samples must be ≥ 1, got {samples!r}")
    if method not in ("svd", "newton_schulz"):
        raise ValueError(f"method must be 'svd' or 'newton_schulz', got {method!r}")
    rng = np.random.default_rng(seed)
    tdtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
    blocks = assign_geometry(model, geometry, layers=layers, method=method, radii=radii)
    P = product_norm(blocks)
    was_training = model.training
    model.eval()
    try:
        ad = _Adapter(model, blocks, loss, tdtype)
        bl = []
        for i, b in enumerate(batches):
            if i >= max_batches:
                break
            bl.append(ad._batch(b))
        if not bl:
            raise ValueError("data: no batches")
        x0 = ad.x0()
        nb = len(blocks)
        total = int(samples) * (nb + 1) + int(ggnc_steps) + 1
        done = [0]

        def tick(label: str) -> None:
            done[0] += 1
            if progress is not None:
                progress(done[0], total, label)

        # base points: x and x ± t·lmo_P(∇f(x)) on a geometric grid up to radius·‖x‖
        _, g0 = ad.value_and_grad(x0, bl[0])
        xnorm = float(P(x0)) or 1.0
        s0 = P.lmo(g0, 1.0)
        ts = [float(t) for t in np.geomspace(0.05, 1.0, max(int(samples) - 1, 1)) * radius * xnorm]
        points = [x0] + [
            tuple(xa + ((-1) ** i) * t * sa for xa, sa in zip(x0, s0)) for i, t in enumerate(ts[: int(samples) - 1])
        ]
        per_layer: dict[str, list] = {b.name: [] for b in blocks}
        glob: list = []
        base_grads: list = []
        for i, x in enumerate(points):
            gx, layer_samples, gs = _sample_at(ad, blocks, P, x, bl[i % len(bl)], rng, radius=radius,
                                               fractions=fractions, n_random=n_random, seed=seed, tick=tick)
            base_grads.append(gx)
            for name, smp in layer_samples.items():
                per_layer[name].append(smp)
            glob.append(gs)
        # GGNC steps in the product geometry (clip threshold ρ = ‖∇f(x)‖_*, step length radius·‖x‖/10)
        rho = float(P.dual(g0)) or 1.0
        gamma = 0.1 * radius * xnorm / rho
        x, sg, sl, ss = x0, [], [], []
        for k in range(int(ggnc_steps)):
            batch = bl[k % len(bl)]
            gx = ad.value_and_grad(x, batch)[1]
            dn, s = P.dual_lmo(gx, 1.0)
            eta = min(float(dn), rho)
            xn = tuple(xa + gamma * eta * sa for xa, sa in zip(x, s))
            gy = ad.value_and_grad(xn, batch)[1]  # same batch at both points
            d = float(P(tuple(b - a for a, b in zip(x, xn))))
            if d > 0:
                sg.append(float(P.dual(gy)))
                sl.append(float(P.dual(tuple(b - a for a, b in zip(gx, gy)))) / d)
                ss.append(d)
            x = xn
            tick("ggnc")
        from .estimate import concat_samples

        secants = Samples(sg, sl, ss, "ggnc_secant", repr(P), {"mode": "same", "gamma": gamma, "rho": rho})
        all_samples = {b.name: concat_samples(*per_layer[b.name]) for b in blocks}
        all_samples["global"] = concat_samples(*glob, secants)

        rows = []
        for li, b in enumerate(blocks):
            row = {"name": b.name, "role": b.role, "shape": b.shape, "geometry": repr(b.norm), "radius": b.radius,
                   "grad_dual_x": float(b.norm.dual(g0[li]))}
            row.update(_fit_row(all_samples[b.name], rng, n_boot))
            row["ns_bias_median"] = None
            if method == "newton_schulz" and isinstance(b.norm, (Spectral, SpectralConv)):
                exact = type(b.norm)(**{k: getattr(b.norm, k) for k in ("rms",) if hasattr(b.norm, "rms")})
                ratios = [float(b.norm.dual(g[li])) / float(exact.dual(g[li]))
                          for g in base_grads if float(exact.dual(g[li])) > 0]
                if ratios:
                    row["ns_bias_median"] = float(np.median(ratios))
                    row["ns_bias_min"], row["ns_bias_max"] = float(np.min(ratios)), float(np.max(ratios))
            rows.append(row)
        grow = {"name": "global", "role": "product", "shape": (), "geometry": repr(P), "radius": None,
                "grad_dual_x": float(P.dual(g0)), "ns_bias_median": None}
        grow["block_duals_x"] = [float(v) for v in P.block_duals(g0)]
        grow.update(_fit_row(all_samples["global"], rng, n_boot))
        rows.append(grow)
        tick("fit")
    finally:
        model.train(was_training)
    meta = {
        "geometry": geometry, "method": method, "layers": layers, "samples": int(samples), "seed": seed,
        "radius": radius, "fractions": list(fractions), "n_random": n_random, "ggnc_steps": ggnc_steps,
        "n_boot": n_boot, "n_batches": len(bl), "batch_mode": "same", "device": str(ad.device),
        "dtype": str(ad.dtype).replace("torch.", ""),
    }
    rep = EstimateReport(rows, all_samples, meta)
    if out is not None:
        rep.write(out)
    return rep
