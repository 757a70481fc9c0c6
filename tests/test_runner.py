"""The runner and the Trajectory record: recording, divergence, seeds, callbacks, persistence."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from _toy import BlockQuadratic, LogSumExp, Quadratic

import ggnc_theory
from ggnc_theory import Trajectory, norms, run
from ggnc_theory import algorithms as A


def _quad(d=5, seed=0):
    rng = np.random.default_rng(seed)
    return Quadratic(a=rng.uniform(0.5, 2.0, d), x0=3 * rng.standard_normal(d))


def test_records_every_step_with_paper_indexing():
    prob = _quad()
    t = run(A.ggnc(norms.L2(), 0.3, 1.0), prob, 25)
    assert t.status == "completed" and t.nit == 25
    assert t.iteration.tolist() == list(range(1, 26))
    assert t.f[0] == pytest.approx(float(prob.f(prob.x0)), rel=0, abs=0)
    assert t.grad_dual_norm[0] == pytest.approx(np.linalg.norm(prob.grad(prob.x0)), rel=1e-15)
    # f_final is f(x^{n+1}) and x_final its point
    assert t.f_final == pytest.approx(float(prob.f(t.x_final)), rel=1e-15)
    assert t.fw_gap is None
    for name in ("f", "grad_dual_norm", "d_dual_norm", "eta", "step_norm", "clipped"):
        assert getattr(t, name).shape == (25,)


def test_record_every_keeps_first_and_last():
    t = run(A.ggnc(norms.L2(), 0.3, 1.0), _quad(), 20, record_every=6)
    assert t.iteration.tolist() == [1, 7, 13, 19, 20]
    assert t.f.shape == (5,)


def test_trajectory_is_frozen():
    t = run(A.ggnc(norms.L2(), 0.3, 1.0), _quad(), 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.status = "x"  # type: ignore[misc]


class _Exploding:
    """f(x) = −exp(Σx) is unbounded below: descent steps push Σx up until exp overflows to inf."""

    name, norm = "exploding", norms.L2()

    def __init__(self):
        self.x0 = np.array([700.0])

    def f(self, x):
        return -np.exp(x.sum())

    def grad(self, x):
        return -np.exp(x.sum()) * np.ones_like(x)


class _NanAt:
    """A quadratic whose gradient turns NaN at the third evaluation."""

    name, norm = "nan-at-3", norms.L2()

    def __init__(self):
        self.x0 = np.ones(3)
        self.calls = 0

    def f(self, x):
        return 0.5 * float(x @ x)

    def grad(self, x):
        self.calls += 1
        return np.full(3, np.nan) if self.calls == 3 else x.copy()


class _RaisesOverflow(_NanAt):
    def f(self, x):
        if self.calls >= 2:
            raise OverflowError("exp overflow at large input")
        return 0.5 * float(x @ x)


@pytest.mark.parametrize("prob", [_Exploding(), _NanAt(), _RaisesOverflow()], ids=lambda p: p.name)
def test_divergence_ends_the_run_without_nans(prob):
    alg = A.ggnc(norms.L2(), 1.0, 10.0) if prob.name != "exploding" else A.ucg(norms.L2(), 1.0, 20.0)
    t = run(alg, prob, 50)
    assert t.status == "diverged" and t.diverged
    assert "step k=" in t.message or "final iterate" in t.message
    assert t.nit < 50
    for name in ("f", "grad_dual_norm", "d_dual_norm", "eta", "step_norm"):
        assert np.all(np.isfinite(getattr(t, name))), name
    assert np.isfinite(t.f_final) and np.all(np.isfinite(t.x_final))
    assert len(t.f) == t.nit


def test_nan_gradient_reports_the_step_index():
    t = run(A.ggnc(norms.L2(), 0.1, 1.0), _NanAt(), 10)
    assert t.message.startswith("diverged at step k=3")
    assert t.iteration.tolist() == [1, 2]


def test_stochastic_needs_explicit_rng_and_oracle():
    prob = _quad()
    with pytest.raises(ValueError, match="rng"):
        run(A.ggnc(norms.L2(), 0.1, 1.0), prob, 5, stochastic=True)
    with pytest.raises(ValueError, match="stochastic"):
        run(A.ggnc(norms.L2(), 0.1, 1.0), LogSumExp(x0=np.zeros(3)), 5, stochastic=True, rng=0)
    with pytest.raises(ValueError, match="rng"):
        run(A.ggnc(norms.L2(), 0.1, 1.0), prob, 5, stochastic=True, rng="seed")


def test_same_seed_same_trajectory_and_seeds_differ():
    prob = _quad()
    alg = A.ggnc(norms.L2(), 0.1, 1.0, alpha=0.2)
    t1 = run(alg, prob, 40, stochastic=True, rng=123)
    t2 = run(alg, prob, 40, stochastic=True, rng=123)
    t3 = run(alg, prob, 40, stochastic=True, rng=124)
    t4 = run(alg, prob, 40, stochastic=True, rng=np.random.default_rng(123))
    assert t1.equals(t2) and t1.meta["seed"] == 123
    assert not np.array_equal(t1.f, t3.f)
    assert np.array_equal(t1.f, t4.f) and t4.meta["seed"] is None and "rng_state" in t4.meta
    # the true gradient norm is recorded, not the noisy one
    assert not np.allclose(t1.grad_dual_norm, t1.d_dual_norm)


def test_callback_can_stop_and_sees_every_step():
    seen = []

    def cb(k, x, info):
        seen.append((k, float(info.eta)))
        return k == 7

    t = run(A.ggnc(norms.L2(), 0.1, 1.0), _quad(), 30, callback=cb)
    assert t.status == "stopped" and t.nit == 7 and [k for k, _ in seen] == list(range(1, 8))


def test_invalid_run_arguments():
    alg, prob = A.ggnc(norms.L2(), 0.1, 1.0), _quad()
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_steps"):
            run(alg, prob, bad)
        with pytest.raises(ValueError, match="record_every"):
            run(alg, prob, 5, record_every=bad)
    with pytest.raises(ValueError, match="x0"):
        run(alg, prob, 5, x0=np.array([np.nan, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="algorithm"):
        run("ggnc", prob, 5)
    with pytest.raises(ValueError, match="problem"):
        run(alg, object(), 5)


def test_metadata_describes_the_run():
    t = run(A.s3cg(norms.Linf(), 0.2, 1.0, beta=10.0, variant=2), _quad(), 4)
    m = t.meta
    assert m["algorithm"] == "s3cg" and m["params"]["variant"] == 2 and m["params"]["beta"] == 10.0
    assert m["norm"] == "Linf()" and m["problem"] == "toy-quadratic"
    assert m["backend"] == "numpy" and m["dtype"] == "float64" and m["version"] == ggnc_theory.__version__
    assert m["constants"] == {"sigma2": 1.0}
    assert t.fw_gap is not None and t.fw_gap.shape == (4,)


def _assert_round_trip(t: Trajectory, tmp_path):
    json_path, npz_path = t.save(tmp_path / "run")
    assert json_path.name == "run.json" and npz_path.name == "run.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "run.npz"]  # no leftover temp files
    back = Trajectory.load(tmp_path / "run.json")
    assert back.equals(t)
    assert t.equals(Trajectory.load(tmp_path / "run"))
    return back


def test_save_load_round_trips_exactly(tmp_path):
    t = run(A.ggnc(norms.L2(), 0.1, 1.0, alpha=0.3), _quad(), 33, stochastic=True, rng=5, keep_iterates=True)
    back = _assert_round_trip(t, tmp_path)
    assert back.iterates.shape == (33, 5) and back.f.dtype == np.float64 and back.clipped.dtype == bool
    json.loads((tmp_path / "run.json").read_text())  # strict JSON


def test_save_load_block_point_and_fw_gap(tmp_path):
    rng = np.random.default_rng(1)
    P = norms.Product((norms.Spectral(), norms.Sign()), (1.0, 3.0))
    prob = BlockQuadratic(M=(rng.standard_normal((3, 2)), rng.standard_normal((2, 4))), x0=(np.zeros((3, 2)), np.zeros((2, 4))), norm=P)
    t = run(A.s3cg(P, 0.5, 1.0, beta=1.0), prob, 12, keep_iterates=True)
    back = _assert_round_trip(t, tmp_path)
    assert isinstance(back.x_final, tuple) and back.iterates[0].shape == (12, 3, 2)


def test_equals_detects_differences(tmp_path):
    t = run(A.ggnc(norms.L2(), 0.1, 1.0), _quad(), 5)
    t.save(tmp_path / "a")
    z = dict(np.load(tmp_path / "a.npz"))
    z["f"] = z["f"].copy()
    z["f"][2] = np.nextafter(z["f"][2], np.inf)  # one ulp
    np.savez(tmp_path / "a.npz", **z)
    assert not Trajectory.load(tmp_path / "a").equals(t)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Trajectory.load(tmp_path / "missing")
    t = run(A.ggnc(norms.L2(), 0.1, 1.0), _quad(), 3)
    t.save(tmp_path / "b")
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        Trajectory.load(tmp_path / "b")
    (tmp_path / "b.json").write_text(json.dumps({"schema": "other"}))
    with pytest.raises(ValueError, match="not a ggnc-theory trajectory"):
        Trajectory.load(tmp_path / "b")


def test_torch_run_stays_on_device_and_records_host_arrays(backend):
    if backend.name == "numpy":
        pytest.skip("torch-only check")
    import torch

    prob = Quadratic(a=np.ones(4), x0=backend.asarray(np.arange(4.0)))
    seen = []
    t = run(A.ggnc(norms.L2(), 0.5, 1.0), prob, 5, callback=lambda k, x, info: seen.append((x.device, x.dtype)))
    assert all(d.type == backend.device and dt == torch.float64 for d, dt in seen)
    assert isinstance(t.x_final, np.ndarray) and t.meta["backend"] == "torch"
    assert t.meta["device"].startswith(backend.device)


def test_saved_files_have_normal_permissions(tmp_path):
    """Atomic writes go through mkstemp (mode 0600); the result must get the usual umask-based mode."""
    import os

    t = run(A.ggnc(norms.L2(), 0.1, 1.0), _quad(), 3)
    json_path, npz_path = t.save(tmp_path / "perm")
    mask = os.umask(0o022)
    os.umask(mask)
    for p in (json_path, npz_path):
        assert (p.stat().st_mode & 0o777) == (0o666 & ~mask)
