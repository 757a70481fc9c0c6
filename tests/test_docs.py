"""The README's commands and example, and the docstring examples, really work."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import ggnc_theory

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    commands = [line for block in _code_blocks("bash") for line in block.splitlines() if "pytest" in line]
    assert len(commands) == 1, "README must give exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[0] in ci


def test_readme_python_example_runs(tmp_path, monkeypatch):
    blocks = _code_blocks("python")
    assert blocks, "README must contain a Python example"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    assert (tmp_path / "runs" / "lse.json").exists() and (tmp_path / "runs" / "lse.npz").exists()


@pytest.mark.parametrize("module", ["ggnc_theory", "ggnc_theory.compat", "ggnc_theory.norms"])
def test_docstring_examples(module):
    mod = __import__(module, fromlist=["_"])
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
