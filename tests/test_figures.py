"""The figures package: data functions (against the theorems and the claim modules), renderers, CLI."""

from __future__ import annotations

import importlib.util

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import figures
from figures import data as D
from ggnc_theory import newton_schulz as NS
from ggnc_theory import theorems as T
from ggnc_theory.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


HAS_TORCH = importlib.util.find_spec("torch") is not None
# the checkpoint version of figure 6 trains the demo model, which needs torch
NEEDS_TORCH = {"estimation-checkpoint"}


@pytest.fixture(scope="module")
def small():
    """Every figure's data at the tiny settings, computed once."""
    return {
        name: figures.FIGURES[name].data(small=True, seed=0)
        for name in figures.available()
        if HAS_TORCH or name not in NEEDS_TORCH
    }


def test_registry_lists_the_figures():
    assert figures.available() == [
        "rates", "separation", "slack", "stochastic", "rho-sweep", "estimation", "estimation-checkpoint",
        "newton-schulz",
    ]
    assert sorted(s.number for s in figures.FIGURES.values()) == [1, 2, 3, 4, 5, 6, 6, 7]
    assert figures.__distribution__ == "ggnc-theory"


def test_data_module_does_not_import_matplotlib():
    code = "import sys, figures, figures.data; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_every_figure_has_caption_and_seed_metadata(small):
    for name, d in small.items():
        assert d.name == name
        assert d.caption and d.title and d.panels
        assert "seed" in d.meta and "random_draws" in d.meta
        if d.meta["random_draws"]:
            assert "seeds" in d.meta


# ----------------------------------------------------------------------------------------------- figure 1
def test_rates_bound_curves_equal_the_theorems(small):
    d = small["rates"]
    assert len(d.panels) >= 3
    problems_seen = set()
    for pnl in d.panels:
        problems_seen.add(pnl["problem"])
        ids = {b["id"] for b in pnl["bounds"]}
        assert {"thm-4.3", "thm-4.3-corrected", "thm-4.5"} <= ids
        if pnl["constants"]["L"] is not None:
            assert {"prop-4.1", "poster-sd"} <= ids
        runs = {r["method"]: r["params"] for r in d.meta["runs"] if r["problem"] == pnl["problem"]}
        for b in pnl["bounds"]:
            expected = [T.get(b["id"]).bound(pnl["constants"], runs[b["method"]], int(n)) for n in b["n"]]
            np.testing.assert_allclose(b["y"], expected, rtol=0, atol=0)
        # measured prefix minima are non-increasing and below the corrected Thm 4.3 bound (GGNC)
        g = next(s for s in pnl["series"] if s["method"] == "GGNC")
        assert np.all(np.diff(g["y"]) <= 0)
        corr = next(b for b in pnl["bounds"] if b["id"] == "thm-4.3-corrected")
        idx = np.searchsorted(corr["n"], g["n"])
        assert np.all(g["y"] <= corr["y"][idx])
    assert len(problems_seen) >= 3


# ----------------------------------------------------------------------------------------------- figure 2
def test_separation_ucg_plateaus_at_the_floor_and_ggnc_goes_below(small):
    a, b = small["separation"].panels
    floor = a["floor"]
    assert floor == pytest.approx(2.0 * 0.25 * 1.0 / 2.0)
    assert a["tails"]["uCG"]["tail_min"] >= floor * (1 - 1e-12)
    assert a["tails"]["GGNC"]["final"] < 1e-2 * floor
    assert a["tails"]["SD"]["final"] < 1e-3 * floor
    assert a["clipped_spans"] and a["clipped_spans"][0][0] == 0.5  # GGNC starts in the clipped regime
    # (b): uCG stalls, GGNC ends far below the uCG plateau; the Thm 4.5 limit is above the plateau
    assert b["tails"]["GGNC"]["final"] < 1e-2 * b["tails"]["uCG"]["tail_min"]
    assert b["tails"]["uCG"]["tail_min"] <= b["thm45_limit"]


# ----------------------------------------------------------------------------------------------- figure 3
def test_slack_has_no_negative_step(small):
    d = small["slack"]
    assert d.meta["n_negative"] == 0
    for pnl in d.panels:
        for s in pnl["series"]:
            assert s["n_negative"] == 0 and s["n_nonfinite"] == 0
            assert np.all(s["y"] > 0)
            assert s["min_ratio"] >= 1.0


# ----------------------------------------------------------------------------------------------- figure 4
def test_stochastic_reuses_the_claim_runs(small):
    from paper_checks import stochastic as S

    pnl = small["stochastic"].panels[0]
    assert list(pnl["n"]) == list(S.QUICK_HORIZONS[:2])
    assert np.all(pnl["band_low"] <= pnl["mean"]) and np.all(pnl["mean"] <= pnl["band_high"])
    np.testing.assert_allclose(pnl["mean"], [np.mean(s) for s in pnl["samples"]])
    assert np.all(pnl["mean"] <= pnl["bound_corrected"])
    assert np.all(pnl["bound_corrected"] <= pnl["bound_printed"])
    fit = pnl["fit"]
    assert fit["ci_low"] <= fit["slope"] <= fit["ci_high"]


# ----------------------------------------------------------------------------------------------- figure 5
def test_rho_sweep_parameterisation_and_paper_table(small):
    import problems
    from ggnc_theory import algorithms as A
    from ggnc_theory import run

    a, b = small["rho-sweep"].panels
    assert list(b["y"]) == [3.371, 3.357, 3.354, 3.354, 3.359, 3.360, 3.363]
    assert b["labels"][0].startswith("0") and b["labels"][-1].startswith("∞")
    p = problems.get("softmax_regression")
    n = small["rho-sweep"].meta["n"]
    s = a["series"][0]
    lr = s["lr"]
    # ρ = 0 is uCG with step lr; finite ρ is GGNC with γ = lr/ρ
    assert s["rho0"] == run(A.ucg(p.norm, lr, 1.0), p, n).f_final - p.f_star
    r = s["rho"][2]
    assert s["y"][2] == run(A.ggnc(p.norm, lr / r, r), p, n).f_final - p.f_star
    assert a["sd"]["gamma"] == pytest.approx(1.0 / p.L)
    assert a["sd_best"]["y"] <= a["sd"]["y"]


# ----------------------------------------------------------------------------------------------- figure 6
def test_estimation_envelope_tradeoff_and_certified_constants(small):
    import problems

    d = small["estimation"]
    scatter, tradeoff, control = d.panels
    assert len(scatter["entries"]) >= 3
    for e, t in zip(scatter["entries"], tradeoff["entries"]):
        # log axes: strictly positive values only, the rest counted, nothing added
        assert np.all(e["g"] > 0) and np.all(e["lhat"] > 0)
        assert e["g"].size + e["n_dropped"] == e["n_samples"]
        # the LP envelope lies above every sample; the certified line above every admissible one
        env = e["envelope"]
        assert np.all(e["lhat"] <= (env["L0"] + env["L1"] * e["g"]) * (1 + 1e-6))
        assert env["ci_low"]["L0"] <= env["ci_high"]["L0"] and env["ci_low"]["L1"] <= env["ci_high"]["L1"]
        cert = e["certified"]
        fam = d.meta["probes"][e["name"]]["family"]
        p = problems.get(fam, **{k: v for k, v in d.meta["probes"][e["name"]].items()
                                 if k not in ("family", "probe")})
        assert (cert["L0"], cert["L1"]) == (p.L0, p.L1)
        assert e["compare"]["flag"] == "ok" and e["compare"]["reach"] >= 0.5
        # the estimated trade-off curve is the admissible min L0(L1); at the certified L1 it is compare()'s
        # L0_hat, and it never exceeds the certified curve
        assert t["below_certified"] is True
        cc = t["certified_curve"]
        np.testing.assert_allclose(cc["L0"], [p.tradeoff(float(x)) for x in cc["L1"]])
        assert np.all(np.diff(t["min_L0"]) <= 1e-12 * t["min_L0"][:-1])  # non-increasing in L1
        # resamples drop pairs: the bootstrap band of a max statistic lies at or below the estimate
        idx = np.searchsorted(t["L1"], t["band_L1"])
        inside = idx < t["L1"].size
        assert np.all(t["band_high"][inside] <= t["min_L0"][idx[inside]] * (1 + 1e-12))
        assert np.all(t["band_low"] <= t["band_high"])
        assert d.meta["fits"][e["name"]]["compare"] == e["compare"]
    # the negative control is rejected, with its slope CI above 1
    assert control["supported"] is False and control["reasons"]
    assert control["slope"]["low"] > 1.0
    assert np.all(control["g"] > 0) and np.all(control["lhat"] > 0)
    assert [g["control"] for g in control["growth"]][-1] is True


def test_estimation_matches_verify_on_its_samples():
    from verify import compare, fit_envelope, probe_problem

    import problems

    p = problems.get("abs_power")
    s = probe_problem(p, seed=3, n_points=10, n_rays=2, ray_depth=3, n_random=1)
    cert = {p.name: {"L0": p.L0, "L1": p.L1, "tradeoff": p.tradeoff}}
    d = D.estimation(small=True, seed=3, samples={p.name: s}, certified=cert)
    e, t = d.panels[0]["entries"][0], d.panels[1]["entries"][0]
    env = fit_envelope(s)
    assert (e["envelope"]["L0"], e["envelope"]["L1"]) == (env.L0, env.L1)
    cmp = compare(env, p.L0, p.L1)
    assert e["compare"]["L0_hat"] == cmp.L0_hat and e["compare"]["flag"] == cmp.flag
    est = D._admissible_min_L0(s.grad_dual, s.lhat, s.step, np.array([0.5, 1.0, 2.0]))
    for L1, v in zip((0.5, 1.0, 2.0), est):
        sub = s.within(1.0 / L1)
        assert v == pytest.approx(fit_envelope(sub).min_L0(L1), rel=1e-12, abs=0)
    # same seed, same figure
    again = D.estimation(small=True, seed=3, samples={p.name: s}, certified=cert)
    np.testing.assert_array_equal(again.panels[1]["entries"][0]["band_low"], t["band_low"])


def test_estimation_accepts_checkpoint_style_samples(tmp_path):
    """Per-layer and global samples without certified constants (the demo checkpoint's shape) plug in."""
    from verify import Samples

    from figures.render import render

    rng = np.random.default_rng(0)

    def layer(L0, L1, n=80):
        g = 10.0 ** rng.uniform(-2, 3, n)
        return Samples(g, (L0 + L1 * g) * rng.uniform(0.1, 1.0, n), np.full(n, 1e-3), "secant", "Spectral()")

    mapping = {"layer.0": layer(1.0, 0.5), "layer.1": layer(3.0, 0.1), "global": layer(2.0, 0.4)}
    one = mapping["layer.1"]
    mapping["layer.1"] = Samples(np.append(one.grad_dual, 0.0), np.append(one.lhat, 1.0),
                                 np.append(one.step, 0.0), "secant", "Spectral()")
    cert = {"global": {"L0": 2.0, "L1": 0.4, "tradeoff": None}}
    d = D.estimation(small=True, seed=0, samples=mapping, certified=cert)
    sc, tr, _ = d.panels
    assert [e["name"] for e in sc["entries"]] == list(mapping)
    assert sc["entries"][1]["n_dropped"] == 1  # the g = 0 sample is not drawn on the log axis
    assert sc["entries"][0]["certified"] is None and tr["entries"][0]["certified_curve"] is None
    assert tr["entries"][2]["certified_point"] == {"L0": 2.0, "L1": 0.4}
    assert sc["entries"][2]["compare"]["flag"] in (
        "ok", "certified constants loose or estimator budget too small"
    )
    img, side = render(d, tmp_path / "fig6.png", "png", small=True)
    assert img.read_bytes()[:8] == PNG_SIGNATURE
    assert json.loads(side.read_text(encoding="utf-8"))["meta"]["entries"] == list(mapping)
    with pytest.raises(ValueError):
        D.estimation(small=True, samples={})


# ----------------------------------------------------------------------------------------------- figure 7
def test_newton_schulz_curves_and_ratios(small):
    a, b = small["newton-schulz"].panels
    for s in a["series"]:
        np.testing.assert_array_equal(s["y"], NS.scalar_map(a["s"], s["table"]))
    r = b["ratios"]["float64"]
    assert set(r) == set(D.SPECTRA)
    # the six-step table is within 2% of the dual norm on every spectrum; nothing is off by more than 2x
    for sp in D.SPECTRA:
        assert abs(r[sp]["modula"] - 1.0) < 0.02
        assert all(0.4 < v < 1.1 for v in r[sp].values())
    # the matrix (b) is built with the advertised spectrum: its s-range is recorded for panel (a)
    lo, hi = a["s_ranges"]["σ log-spaced in [1e-4, 1]"]
    assert hi / lo == pytest.approx(1e4, rel=1e-6)


# ----------------------------------------------------------------------------------------------- render
def test_render_every_figure_small_png(small, tmp_path):
    import matplotlib.image as mpimg

    from figures.render import render

    for name, d in small.items():
        stem = figures.FIGURES[name].stem
        img, side = render(d, tmp_path / f"{stem}.png", "png", small=True)
        assert img.read_bytes()[:8] == PNG_SIGNATURE
        arr = mpimg.imread(img)
        assert arr.ndim == 3 and arr.shape[0] > 10 and arr.shape[1] > 10
        doc = json.loads(side.read_text(encoding="utf-8"))
        assert doc["name"] == name and doc["meta"]["seed"] == 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # atomic writes leave no temporary file
    mask = os.umask(0o022)
    os.umask(mask)
    assert img.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600


def test_png_metadata_carries_caption_and_seed(small, tmp_path):
    from PIL import Image

    from figures.render import render

    (img, _) = render(small["stochastic"], tmp_path / "s.png", "png", small=True)
    info = Image.open(img).info
    assert "default_rng" in info["Description"] and info["Seed"] == "0"


# ----------------------------------------------------------------------------------------------- CLI
def test_cli_figures_small_pdf_with_progress(tmp_path, capsys):
    argv = ["figures", "--small", "--only", "separation,slack", "--out", str(tmp_path), "--format", "pdf"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "2/2" in captured.err  # progress indicator on stderr
    for stem in ("fig2_separation", "fig3_slack"):
        assert (tmp_path / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
        assert (tmp_path / f"{stem}.json").exists()
    assert not (tmp_path / "fig1_rates.pdf").exists()


def test_cli_figures_errors(tmp_path, capsys):
    assert main(["figures", "--only", "figure-six", "--out", str(tmp_path)]) == 2
    assert "unknown figure 'figure-six'" in capsys.readouterr().err
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["figures", "--out", str(f)]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert main(["figures", "--out", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [f]  # nothing written on a usage error


def test_cli_figures_list(capsys):
    assert main(["figures", "--list"]) == 0
    out = capsys.readouterr().out
    for name in figures.available():
        assert name in out


def test_generate_rejects_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="unknown figure"):
        figures.generate(["nope"], tmp_path)
    with pytest.raises(ValueError, match="format"):
        figures.generate(["rates"], tmp_path, "jpg")
    with pytest.raises(ValueError, match="not an existing directory"):
        figures.generate(["rates"], tmp_path / "missing")


def test_positive_drops_nonpositive_without_epsilon():
    x, y, dropped = D.positive(np.arange(4), np.array([1.0, 0.0, -1.0, math.nan]))
    assert list(x) == [0] and list(y) == [1.0] and dropped == 3


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_estimation_checkpoint_has_every_layer_and_the_global_view(small):
    d = small["estimation-checkpoint"]
    names = d.meta["entries"]
    assert "global" in names and any(n.endswith(".weight") for n in names) and any(n.endswith(".bias") for n in names)
    assert "demo checkpoint" in d.meta["source"] and "synthetic" in d.meta["source"]
    scatter = d.panels[0]["entries"]
    assert {e["name"] for e in scatter} == set(names)
