"""The embedded demo of checkpoint mode (``ggnc-theory estimate --demo``).

Trains a small MLP (64 → 64 → 64 → 10) on scikit-learn's digits set (1797 8×8 images shipped inside the
scikit-learn wheel; no download) for a few hundred GGNC steps in the Scion product geometry, saves the weights
(``.safetensors`` when the package is installed, else ``torch.save`` of the state dict), reloads them safely
and runs :func:`verify.checkpoint.estimate` per layer and globally.

scikit-learn is not a dependency of the toolkit: it comes with the ``demo`` extra
(``pip install 'ggnc-theory[demo]'``); without it the demo stops with a message naming the extra.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DemoUnavailable", "digits", "make_model", "train_ggnc", "run_demo"]


class DemoUnavailable(ValueError):
    """The demo's data set is not installed (message names the extra)."""


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits (X scaled to [0, 1], labels 0–9).

    Read straight from ``sklearn/datasets/data/digits.csv.gz`` inside the installed wheel (64 pixel columns
    and the label per row) without importing scikit-learn; ``load_digits`` is the fallback if the file moved.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise DemoUnavailable(
            "--demo needs scikit-learn (its digits data set ships inside the wheel): "
            "pip install 'ggnc-theory[demo]'"
        )
    for root in spec.submodule_search_locations or ():
        f = Path(root) / "datasets" / "data" / "digits.csv.gz"
        if f.is_file():
            arr = np.loadtxt(f, delimiter=",", dtype=np.float64)
            if arr.ndim == 2 and arr.shape[1] == 65:
                return (arr[:, :64] / 16.0).astype(np.float32), arr[:, 64].astype(np.int64)
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
    except Exception as exc:  # noqa: BLE001 - a broken installation is reported, not traced
        raise DemoUnavailable(
            f"--demo: scikit-learn is installed but its digits set cannot be loaded ({type(exc).__name__}: {exc}); "
            "reinstall with pip install 'ggnc-theory[demo]'"
        ) from None
    return np.asarray(d.data, dtype=np.float32) / 16.0, np.asarray(d.target, dtype=np.int64)


def make_model(d_in: int = 64, width: int = 64, n_classes: int = 10, seed: int = 0) -> Any:
    """The demo MLP (input, hidden and head layers: Sign, Spectral(rms), Sign in Scion's geometry)."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(d_in, width), torch.nn.GELU(), torch.nn.Linear(width, width), torch.nn.GELU(),
        torch.nn.Linear(width, n_classes),
    )


def train_ggnc(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    steps: int = 300,
    batch: int = 128,
    gamma: float = 0.05,
    rho: float = 2.0,
    seed: int = 0,
) -> list[float]:
    """GGNC in the Scion product geometry: x ← x + γ·min(‖g‖_*, ρ)·lmo(g), minibatch gradients; returns losses."""
    import torch

    from .checkpoint import assign_geometry, product_norm

    blocks = assign_geometry(model)
    P = product_norm(blocks)
    params = dict(model.named_parameters())
    ps = [params[b.name] for b in blocks]
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(int(steps)):
        idx = torch.randint(0, Xt.shape[0], (min(batch, Xt.shape[0]),), generator=gen)
        loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
        grads = torch.autograd.grad(loss, ps)
        dn, s = P.dual_lmo(tuple(g.detach() for g in grads), 1.0)
        eta = min(float(dn), rho)
        with torch.no_grad():
            for p, sl in zip(ps, s):
                p.add_(sl, alpha=gamma * eta)
        losses.append(float(loss.detach()))
    return losses


def _save(model: Any, out: Path) -> Path:
    sd = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    if importlib.util.find_spec("safetensors") is not None:
        from safetensors.torch import save_file

        from ggnc_theory._io import atomic_write

        return atomic_write(out / "demo_model.safetensors", lambda tmp: save_file(sd, tmp))
    import torch

    from ggnc_theory._io import atomic_write

    return atomic_write(out / "demo_model.pt", lambda tmp: torch.save(sd, tmp))


def run_demo(
    out: str | Path,
    *,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    steps: int = 300,
    samples: int = 6,
    seed: int = 0,
    n_boot: int = 100,
    width: int = 64,
    progress: Callable[[int, int, str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> Any:
    """Train, save, reload safely and estimate; returns the :class:`~verify.checkpoint.EstimateReport`.

    ``data`` replaces the digits set (tests use synthetic data and small ``steps``/``samples``).
    """
    import torch

    from .checkpoint import estimate, load_checkpoint

    out = Path(out)
    if not out.is_dir():
        raise FileNotFoundError(f"output directory {str(out)!r} does not exist")
    X, y = digits() if data is None else data
    n_classes = int(np.max(y)) + 1
    rng = np.random.default_rng(seed)
    perm = rng.permutation(X.shape[0])
    X, y = X[perm], y[perm]
    t0 = time.perf_counter()
    model = make_model(X.shape[1], width, n_classes, seed)
    losses = train_ggnc(model, X, y, steps=steps, seed=seed)
    path = _save(model, out)
    with torch.no_grad():
        acc = float((model(torch.as_tensor(X)).argmax(1) == torch.as_tensor(y)).float().mean())
    if log is not None:
        log(f"trained {steps} GGNC steps in {time.perf_counter() - t0:.1f}s: loss {losses[0]:.3f} → "
            f"{losses[-1]:.3f}, train accuracy {acc:.3f}; saved {path}")
    fresh = make_model(X.shape[1], width, n_classes, seed + 1)
    load_checkpoint(fresh, path)
    bs = 256
    batches = [(X[i:i + bs], y[i:i + bs]) for i in range(0, min(X.shape[0], 4 * bs), bs)]
    rep = estimate(fresh, None, batches, samples=samples, seed=seed, n_boot=n_boot, progress=progress)
    rep.meta.update({"demo": True, "train_steps": steps, "train_loss_first": losses[0],
                     "train_loss_last": losses[-1], "train_accuracy": acc, "checkpoint": str(path),
                     "data": "sklearn digits" if data is None else "user data"})
    rep.write(out)
    return rep
