"""Checkpoint mode: Scion geometry assignment, safe loading, per-layer/global estimates, the estimate CLI."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]


def test_import_verify_does_not_import_torch():
    code = (
        "import sys, verify; import verify.checkpoint; from verify import *; "
        "assert verify.estimate_checkpoint is verify.checkpoint.estimate; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def mlp():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 10), torch.nn.Tanh(), torch.nn.Linear(10, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    )


@pytest.fixture
def batches():
    import torch

    g = torch.Generator().manual_seed(1)
    X, y = torch.randn(48, 6, generator=g), torch.randint(0, 3, (48,), generator=g)
    return [(X[:24], y[:24]), (X[24:], y[24:])]


def test_geometry_assignment_follows_scion_rules(mlp):
    import torch

    from ggnc_theory.norms import BiasRMS, Sign, Spectral, SpectralConv
    from verify.checkpoint import assign_geometry

    blocks = {b.name: b for b in assign_geometry(mlp)}
    assert blocks["0.weight"].role == "input" and blocks["0.weight"].norm == Sign()
    assert blocks["2.weight"].role == "hidden" and blocks["2.weight"].norm == Spectral(rms=True)
    assert blocks["4.weight"].role == "head" and blocks["4.weight"].norm == Sign()
    for n in ("0.bias", "2.bias", "4.bias"):
        assert blocks[n].norm == BiasRMS()
    # the hidden dual carries √(d_out/d_in): a (8, 10) weight
    G = np.random.default_rng(0).standard_normal((8, 10))
    assert math.isclose(
        float(Spectral(rms=True).dual(G)), math.sqrt(8 / 10) * np.linalg.svd(G, compute_uv=False).sum(), rel_tol=1e-12
    )
    conv = torch.nn.Sequential(
        torch.nn.Embedding(5, 4), torch.nn.Conv1d(4, 4, 3), torch.nn.Linear(4, 4), torch.nn.Linear(4, 2)
    )
    cb = {b.name: b for b in assign_geometry(conv)}
    assert cb["0.weight"].role == "embedding" and cb["0.weight"].norm == Sign()
    assert cb["1.weight"].norm == SpectralConv()
    # after an embedding / convolution a matrix is hidden; the last matrix is the head
    assert cb["2.weight"].role == "hidden" and cb["2.weight"].norm == Spectral(rms=True)
    assert cb["3.weight"].role == "head" and cb["3.weight"].norm == Sign()
    # --layers and other geometries
    only = assign_geometry(mlp, "spectral", layers=r"weight$", method="newton_schulz")
    assert [b.name for b in only] == ["0.weight", "2.weight", "4.weight"]
    assert all(b.norm == Spectral(method="newton_schulz") for b in only)
    with pytest.raises(ValueError, match="no trainable parameter"):
        assign_geometry(mlp, layers="nothing-matches")
    with pytest.raises(ValueError, match="unknown"):
        assign_geometry(mlp, "bogus")


def test_global_dual_is_sum_of_weighted_layer_duals(mlp):
    from verify.checkpoint import assign_geometry, product_norm

    blocks = assign_geometry(mlp, radii={r"^2\.": 3.0, "bias": 0.5})
    P = product_norm(blocks)
    rng = np.random.default_rng(2)
    g = tuple(rng.standard_normal(b.shape) for b in blocks)
    want = sum(b.radius * float(b.norm.dual(gl)) for b, gl in zip(blocks, g))
    assert math.isclose(float(P.dual(g)), want, rel_tol=1e-12)
    assert [b.radius for b in blocks] == [1.0, 0.5, 3.0, 3.0, 1.0, 0.5]


def test_block_gradient_equals_that_block_of_the_full_gradient(mlp, batches):
    """value_and_grad(..., wrt=l) returns ∇_l f exactly as the full gradient does; points stay tensors and do
    not start tracking gradients."""
    import torch

    from verify.checkpoint import _Adapter, assign_geometry

    blocks = assign_geometry(mlp)
    ad = _Adapter(mlp, blocks, None, torch.float64)
    x = ad.x0()
    batch = ad._batch(batches[0])
    f, g = ad.value_and_grad(x, batch)
    assert all(isinstance(a, torch.Tensor) and a.dtype == torch.float64 for a in g)
    for li in range(len(blocks)):
        fl, (gl,) = ad.value_and_grad(x, batch, wrt=li)
        assert fl == f
        assert torch.allclose(gl, g[li], rtol=1e-13, atol=1e-15)
    assert not any(a.requires_grad for a in x)
    x32 = _Adapter(mlp, blocks, None, None).x0()  # the model's dtype: x0 must still be a copy
    w = next(mlp.parameters())
    before = w.detach().clone()
    with torch.no_grad():
        x32[0].add_(1.0)
    assert torch.equal(w.detach(), before)


def test_estimate_api_finite_and_written(mlp, batches, tmp_path):
    from verify.checkpoint import COLUMNS, estimate, summary_table

    calls = []
    rep = estimate(mlp, None, batches, samples=3, n_boot=20, ggnc_steps=3, out=tmp_path,
                   progress=lambda i, n, label: calls.append((i, n)))
    names = [r["name"] for r in rep.rows]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "global"]
    for r in rep.rows:
        assert r["n"] >= 3, r
        for k in ("L0", "L1", "L0_low", "L0_high", "L1_low", "L1_high", "grad_dual_x"):
            assert math.isfinite(r[k]) and r[k] >= 0, (r["name"], k, r[k])
        assert r["L0_low"] <= r["L0"] * (1 + 1e-9) + 1e-12
    g = rep.row("global")
    assert math.isclose(g["grad_dual_x"], sum(g["block_duals_x"]), rel_tol=1e-12)
    assert "ggnc_secant" in rep.samples["global"].method
    assert calls and calls[-1][0] == calls[-1][1]
    # files: complete JSON and CSV, no temporaries left behind
    doc = json.loads((tmp_path / "estimate.json").read_text())
    assert doc["meta"]["batch_mode"] == "same" and len(doc["rows"]) == 7
    rows = list(csv.DictReader((tmp_path / "estimate.csv").open()))
    assert [r["name"] for r in rows] == names and list(rows[0]) == list(COLUMNS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["estimate.csv", "estimate.json"]
    assert "global" in summary_table(rep)
    assert mlp.training  # mode restored


def test_estimate_newton_schulz_reports_bias(mlp, batches):
    from verify.checkpoint import estimate

    rep = estimate(mlp, None, batches, samples=2, n_boot=10, ggnc_steps=2, method="newton_schulz")
    hidden = rep.row("2.weight")
    assert 0.3 < hidden["ns_bias_median"] < 1.5 and hidden["ns_bias_min"] <= hidden["ns_bias_max"]
    assert rep.row("0.weight")["ns_bias_median"] is None  # Sign blocks have no NS


# --------------------------------------------------------------------------------------------- loading
def test_load_roundtrip_and_nested_state_dict(mlp, tmp_path):
    import torch

    from verify.checkpoint import load_checkpoint

    torch.save(mlp.state_dict(), tmp_path / "a.pt")
    torch.save({"state_dict": mlp.state_dict(), "step": 3}, tmp_path / "b.pt")
    for f in ("a.pt", "b.pt"):
        other = torch.nn.Sequential(
            torch.nn.Linear(6, 10), torch.nn.Tanh(), torch.nn.Linear(10, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
        )
        load_checkpoint(other, tmp_path / f)
        for (k, v), w in zip(mlp.state_dict().items(), other.state_dict().values()):
            assert torch.equal(v, w), k


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickle_is_refused_and_not_executed(tmp_path, mlp):
    import torch

    from verify.checkpoint import CheckpointError, load_checkpoint

    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"0.weight": _Evil(str(marker))}, evil)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="refusing to load") as exc:
        load_checkpoint(mlp, evil)
    assert not marker.exists()
    assert "\n" not in str(exc.value)
    # a plain pickle (not torch's zip format) is refused the same way
    import pickle

    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps(_Evil(str(marker)), protocol=2))
    with pytest.raises(CheckpointError):
        load_checkpoint(mlp, raw)
    assert not marker.exists()


def test_key_mismatch_lists_keys(tmp_path, mlp):
    import torch

    from verify.checkpoint import CheckpointError, load_checkpoint

    sd = dict(mlp.state_dict())
    del sd["2.bias"]
    sd["extra.weight"] = torch.zeros(2)
    sd["4.weight"] = torch.zeros(3, 9)
    torch.save(sd, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError) as exc:
        load_checkpoint(mlp, tmp_path / "bad.pt")
    msg = str(exc.value)
    assert "missing keys: 2.bias" in msg and "unexpected keys: extra.weight" in msg
    assert "4.weight (checkpoint (3, 9), model (3, 8))" in msg
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(CheckpointError, match="expected a state dict"):
        load_checkpoint(mlp, tmp_path / "list.pt")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(mlp, tmp_path / "nope.pt")


# --------------------------------------------------------------------------------------------- CLI
@pytest.fixture
def model_module(tmp_path, monkeypatch):
    import torch

    name = "ggnc_tiny_model_for_tests"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent("""
        import torch

        def factory():
            torch.manual_seed(0)
            return torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5),
                                       torch.nn.Tanh(), torch.nn.Linear(5, 2))

        def batches():
            g = torch.Generator().manual_seed(0)
            X = torch.randn(20, 4, generator=g)
            return [(X, (X[:, 0] > 0).long())]

        def badbatches():
            return [(torch.randn(3, 7), torch.zeros(3, dtype=torch.long))]

        def loss(out, y):
            return torch.nn.functional.cross_entropy(out, y)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(name, None)
    mod = __import__(name)
    torch.save(mod.factory().state_dict(), tmp_path / "ck.pt")
    out = tmp_path / "out"
    out.mkdir()
    yield name, tmp_path / "ck.pt", out
    sys.modules.pop(name, None)


def test_cli_estimate(model_module, capsys):
    from ggnc_theory.cli import main

    name, ck, out = model_module
    rc = main(["estimate", "--model", f"{name}:factory", "--checkpoint", str(ck), "--data", f"{name}:batches",
               "--loss", f"{name}:loss", "--samples", "2", "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert (out / "estimate.json").is_file() and (out / "estimate.csv").is_file()
    assert "global" in cap.out and "2.weight" in cap.out
    assert "]" in cap.err  # progress bar on stderr


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--model", "no_colon", "--checkpoint", "CK", "--data", "M:batches"], "--model"),
        (["--model", "M:nosuch", "--checkpoint", "CK", "--data", "M:batches"], "no attribute"),
        (["--model", "no_such_module_xyz:f", "--checkpoint", "CK", "--data", "M:batches"], "cannot import"),
        (["--model", "M:factory", "--checkpoint", "missing.pt", "--data", "M:batches"], "does not exist"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:batches", "--out", "/no/such/dir"], "--out"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:badbatches"], "evaluating the model"),
        (["--model", "M:factory", "--checkpoint", "CK"], "--data is required"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:batches", "--layers", "zzz"], "no trainable"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:batches", "--device", "bogus"],
         "not a torch device"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:batches", "--device", "cuda:99"], "--device"),
        (["--model", "M:factory", "--checkpoint", "CK", "--data", "M:batches", "--device", "meta"],
         "only cpu, cuda"),
    ],
)
def test_cli_estimate_errors(model_module, capsys, args, needle):
    from ggnc_theory.cli import main

    name, ck, out = model_module
    args = [a.replace("M:", f"{name}:").replace("CK", str(ck)) for a in args]
    if "--out" not in args:
        args += ["--out", str(out)]
    rc = main(["estimate", *args])
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err and err.count("\n") == 1, err


def test_cli_estimate_device_cpu_and_demo_rejects_device(model_module, capsys):
    from ggnc_theory.cli import main

    name, ck, out = model_module
    rc = main(["estimate", "--model", f"{name}:factory", "--checkpoint", str(ck), "--data", f"{name}:batches",
               "--samples", "1", "--device", "cpu", "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert json.loads((out / "estimate.json").read_text())["meta"]["device"] == "cpu"
    assert main(["estimate", "--demo", "--device", "cpu", "--out", str(out)]) == 2
    assert "--device" in capsys.readouterr().err


def test_cli_estimate_refuses_malicious_checkpoint(model_module, capsys, tmp_path):
    import torch

    from ggnc_theory.cli import main

    name, _, out = model_module
    marker = tmp_path / "pwned_cli"
    torch.save({"x": _Evil(str(marker))}, tmp_path / "evil.pt")
    rc = main(["estimate", "--model", f"{name}:factory", "--checkpoint", str(tmp_path / "evil.pt"),
               "--data", f"{name}:batches", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "refusing to load" in err and not marker.exists()


# --------------------------------------------------------------------------------------------- safetensors
def test_safetensors_roundtrip_and_errors(tmp_path, mlp, monkeypatch):
    import torch

    from verify.checkpoint import CheckpointError, load_checkpoint

    path = tmp_path / "m.safetensors"
    if importlib.util.find_spec("safetensors") is not None:
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in mlp.state_dict().items()}, str(path))
        other = torch.nn.Sequential(
            torch.nn.Linear(6, 10), torch.nn.Tanh(), torch.nn.Linear(10, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
        )
        load_checkpoint(other, path)
        assert torch.equal(other[2].weight, mlp[2].weight)
        (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 5)
        with pytest.raises(CheckpointError, match="not a valid safetensors"):
            load_checkpoint(mlp, tmp_path / "junk.safetensors")
    else:
        path.write_bytes(b"\x00" * 16)
    # without the package: a clear message naming it (the weights_only path keeps working)
    monkeypatch.setitem(sys.modules, "safetensors.torch", None)
    with pytest.raises(CheckpointError, match="needs the 'safetensors' package"):
        load_checkpoint(mlp, path)
    torch.save(mlp.state_dict(), tmp_path / "m.pt")
    load_checkpoint(mlp, tmp_path / "m.pt")


# --------------------------------------------------------------------------------------------- demo
def _hide_sklearn(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *a, **k):
        return None if name == "sklearn" or name.startswith("sklearn.") else real(name, *a, **k)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_demo_without_sklearn_names_the_extra(monkeypatch, tmp_path, capsys):
    from ggnc_theory.cli import main

    _hide_sklearn(monkeypatch)
    rc = main(["estimate", "--demo", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "ggnc-theory[demo]" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_demo_reads_digits_from_the_wheel_file(tmp_path, monkeypatch):
    import gzip

    from verify import _demo

    if "sklearn" in sys.modules:
        pytest.skip("a real scikit-learn is already imported")
    pkg = tmp_path / "sklearn"
    (pkg / "datasets" / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('the demo must not import scikit-learn')\n")
    rows = [",".join(["16"] * 64 + ["3"]), ",".join(["0"] * 64 + ["7"])]
    with gzip.open(pkg / "datasets" / "data" / "digits.csv.gz", "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    X, y = _demo.digits()
    assert X.shape == (2, 64) and X.dtype == np.float32 and X[0, 0] == 1.0 and X[1, 0] == 0.0
    assert y.tolist() == [3, 7]


def test_demo_reduced_mode_trains_saves_and_estimates(tmp_path):
    from verify._demo import run_demo

    rng = np.random.default_rng(0)
    X = rng.random((200, 16)).astype(np.float32)
    y = np.argmax(X @ rng.standard_normal((16, 4)), axis=1)
    logs = []
    rep = run_demo(tmp_path, data=(X, y), steps=40, samples=2, n_boot=10, width=12, log=logs.append)
    assert rep.meta["demo"] and rep.meta["train_loss_last"] < rep.meta["train_loss_first"]
    names = {p.name for p in tmp_path.iterdir()}
    assert {"estimate.json", "estimate.csv"} <= names
    assert names & {"demo_model.safetensors", "demo_model.pt"}
    assert json.loads((tmp_path / "estimate.json").read_text())["meta"]["train_steps"] == 40
    assert [r["role"] for r in rep.rows if r["name"].endswith("weight")] == ["input", "hidden", "head"]
    assert logs and "GGNC steps" in logs[0]


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn (demo extra) not installed")
def test_cli_demo_reduced(tmp_path, capsys):
    from ggnc_theory.cli import main

    rc = main(["estimate", "--demo", "--demo-steps", "20", "--samples", "2", "--out", str(tmp_path)])
    assert rc == 0, capsys.readouterr().err
    assert (tmp_path / "estimate.json").is_file()
