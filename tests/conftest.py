"""Shared fixtures: array back ends and the deterministic hypothesis profile."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Deterministic by default (same examples on every run); GGNC_HYPOTHESIS_PROFILE=dev explores more.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("GGNC_HYPOTHESIS_PROFILE", "ci"))

HAS_TORCH = importlib.util.find_spec("torch") is not None


def _cuda_available() -> bool:
    if not HAS_TORCH:
        return False
    import torch

    return bool(torch.cuda.is_available())


class Backend:
    """Moves float64 NumPy test data to one array back end and back."""

    def __init__(self, name: str, device: str | None = None):
        self.name = name
        self.device = device

    def __repr__(self) -> str:
        return f"{self.name}{'-' + self.device if self.device else ''}"

    def asarray(self, a, dtype: str = "float64"):
        a = np.asarray(a, dtype=np.float64)
        if self.name == "numpy":
            return a.astype(dtype)
        if self.name == "torch":
            import torch

            return torch.as_tensor(a, dtype=getattr(torch, dtype), device=self.device)
        if self.name == "array_api_strict":
            import array_api_strict as xps

            return xps.asarray(a, dtype=getattr(xps, dtype))
        raise AssertionError(self.name)

    def tree(self, a, dtype: str = "float64"):
        if isinstance(a, (tuple, list)):
            return tuple(self.asarray(x, dtype) for x in a)
        return self.asarray(a, dtype)


BACKENDS = [
    pytest.param(Backend("numpy"), id="numpy"),
    pytest.param(
        Backend("torch", "cpu"),
        id="torch-cpu",
        marks=[pytest.mark.torch, pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")],
    ),
    pytest.param(
        Backend("torch", "cuda"),
        id="torch-cuda",
        marks=[pytest.mark.gpu, pytest.mark.skipif(not _cuda_available(), reason="no CUDA device")],
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    """Every available back end (NumPy float64 reference, torch CPU, torch CUDA when present)."""
    return request.param


def to_np(x):
    """Host NumPy copy of an array or a tuple of arrays."""
    from ggnc_theory._backend import tree_to_numpy

    return tree_to_numpy(x)
