"""The command-line front door, called in-process and as a console script."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ggnc_theory
from ggnc_theory import algorithms, newton_schulz, norms
from ggnc_theory.cli import main


def test_list_all_names_every_norm_algorithm_table_and_problem(capsys):
    import problems

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in norms.available() + algorithms.available() + newton_schulz.available() + problems.available():
        assert name in out, name
    # the measured singular-value map of Muon's quintic is printed, not hard-coded
    lo, hi = newton_schulz.scalar_map_range("muon", lo=0.01)
    assert f"[{lo:.3f}, {hi:.3f}]" in out


@pytest.mark.parametrize("topic", ["norms", "algorithms", "newton-schulz", "problems"])
def test_list_topic(capsys, topic):
    assert main(["list", topic]) == 0
    out = capsys.readouterr().out
    others = {
        "norms": "Algorithms",
        "algorithms": "Norm geometries",
        "newton-schulz": "Norm geometries",
        "problems": "Norm geometries",
    }
    assert others[topic] not in out


def test_list_problems_prints_certified_constants(capsys):
    import problems

    assert main(["list", "problems"]) == 0
    out = capsys.readouterr().out
    p = problems.get("lp_norm", p=4, d=10, geometry="linf", L1=1.0)
    assert f"{p.L0:g}" in out  # the ℓ∞ constant that grows with d, computed, not typed in
    assert "not (L0,L1)-smooth" in out


def test_bad_topic_exits_nonzero(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["list", "everything"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert ggnc_theory.__version__ in capsys.readouterr().out
    assert main([]) == 0
    assert "list" in capsys.readouterr().out


def test_python_dash_m_and_console_script():
    proc = subprocess.run([sys.executable, "-m", "ggnc_theory", "list", "norms"], capture_output=True, text=True)
    assert proc.returncode == 0 and "spectral" in proc.stdout and proc.stderr == ""
    proc = subprocess.run([sys.executable, "-m", "ggnc_theory", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "usage: ggnc-theory" in proc.stdout


def test_import_does_not_load_heavy_modules():
    code = (
        "import sys, ggnc_theory, ggnc_theory.cli; "
        "heavy = [m for m in ('torch', 'cvxpy', 'sympy', 'matplotlib', 'scipy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == ""


@pytest.mark.parametrize("package", ["ggnc_theory", "problems", "verify", "figures", "paper_checks"])
def test_packages_come_from_this_distribution(package):
    """The generic top-level names must resolve to this distribution, not to another installed package."""
    mod = __import__(package)
    assert getattr(mod, "__distribution__", None) == "ggnc-theory"
