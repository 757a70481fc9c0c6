"""paper_checks and ``ggnc-theory check``: each implemented claim gives its expected verdict on small
settings, the verdict rule (incl. a deliberately wrong constant that makes a claim FAIL), and the CLI in-process."""

from __future__ import annotations

import json
import math
import os

import pytest

import paper_checks
import problems
from ggnc_theory import algorithms as A
from ggnc_theory import run
from ggnc_theory.cli import main
from ggnc_theory.tolerances import tolerance
from paper_checks import ERRATUM, FAIL, PASS, SKIP, Claim, verdict
from paper_checks import _registry as R
from paper_checks import separation, thm_4_3, ucg_rates
from verify import check_rate
from verify._result import judge


@pytest.fixture(scope="module")
def quick_rows():
    """Every claim's quick rows, computed once: {claim id: [Row]}."""
    return {cid: paper_checks.get(cid).run(quick=True, seed=0) for cid in paper_checks.available()}


# --------------------------------------------------------------------------------------------- registry
def test_registry_ids_order_and_sources():
    ids = paper_checks.available()
    assert ids[:6] == ["table1-identities", "thm-4.3", "thm-4.3-special", "separation", "prop-4.1", "thm-4.5"]
    for cid in ids:
        assert paper_checks.get(cid).source in paper_checks.SOURCES
    with pytest.raises(ValueError, match="'nope'"):
        paper_checks.get("nope")
    with pytest.raises(ValueError, match="registered twice"):
        R.register("thm-4.3", "theorem", "dup")(lambda quick, seed: [])


def test_rows_serialise_deterministically(quick_rows):
    for rows in quick_rows.values():
        for r in rows:
            d = r.to_dict()
            assert json.dumps(d, sort_keys=True, allow_nan=False) == json.dumps(
                r.to_dict(), sort_keys=True, allow_nan=False
            )
            assert d["verdict"] in paper_checks.VERDICTS


# --------------------------------------------------------------------------------------------- claims
def test_table1_identities_pass_for_every_norm_and_product_dual_is_an_erratum(quick_rows):
    rows = quick_rows["table1-identities"]
    main_rows = [r for r in rows if r.claim == "table1-identities"]
    assert len(main_rows) >= 13 and all(r.verdict == PASS for r in main_rows)
    assert any(r.problem.startswith("product(") for r in main_rows)
    for r in main_rows:  # ⟨g,lmo⟩ = −‖g‖_*, ‖lmo‖ = 1, ⟨g,g♯⟩ = ‖g♯‖² = ‖g‖_*²
        assert len(r.results) == 4 and all(x.holds for x in r.results)
    (prod,) = [r for r in rows if r.claim == "table1-identities/product-dual"]
    assert prod.verdict == ERRATUM and prod.ratio > 1.5  # radii (2, 0.5, 3): Σ(1/r) differs from Σ r
    assert prod.results[1].holds and prod.results[1].applicable


def test_thm_4_3_descent_and_rate_over_families_and_settings(quick_rows):
    rows = quick_rows["thm-4.3"]
    rate = [r for r in rows if r.claim == "thm-4.3" and r.problem != "quadratic_1d"]
    descent = [r for r in rows if r.claim == "thm-4.3/descent"]
    assert len({r.problem for r in rate}) >= 3 and len(rate) >= 9
    assert all(r.verdict == PASS for r in descent)
    assert all(r.verdict in (PASS, ERRATUM) for r in rate)
    for r in rate:  # γ ≤ 1/(L0 + ρL1) held, so the theorem applied
        assert all(x.applicable for x in r.results)
    fractions = [r.info["clipped_fraction"] for r in rate]
    assert max(fractions) > 0.5 and min(fractions) == 0.0  # both regimes visited


def test_thm_4_3_printed_first_term_fails_by_sqrt2_on_the_witness(quick_rows):
    (w,) = [r for r in quick_rows["thm-4.3"] if r.claim == "thm-4.3" and r.problem == "quadratic_1d"]
    assert w.verdict == ERRATUM
    assert w.ratio == pytest.approx(math.sqrt(2.0), rel=1e-6)
    assert w.info["corrected"]["ratio"] <= 1.0


def test_thm_4_3_special_case_is_an_erratum(quick_rows):
    rows = quick_rows["thm-4.3-special"]
    assert rows and all(r.verdict == ERRATUM for r in rows)
    sym = rows[0]
    assert sym.claim == "thm-4.3-special/hypothesis"
    assert not sym.results[0].holds and sym.results[1].holds  # 1/L0 fails, 1/(2L0) meets γ ≤ 1/(L0+ρL1)
    for r in rows[1:]:
        assert not r.results[0].applicable and r.results[1].applicable and r.results[1].holds


def test_separation_floor_and_convergence(quick_rows):
    rows = quick_rows["separation"]
    assert all(r.verdict == PASS for r in rows)
    floor = separation.L0 * separation.GAMMA * separation.RHO / 2.0
    for r in rows:
        if r.claim == "separation/ucg-floor":
            assert r.measured == pytest.approx(floor, rel=1e-12)
        else:
            assert r.measured < 1e-3 * floor


@pytest.mark.parametrize("cid", ["prop-4.1", "thm-4.5"])
def test_ucg_rates_pass(quick_rows, cid):
    rows = quick_rows[cid]
    assert len(rows) >= 3 and all(r.verdict == PASS for r in rows)
    assert all(0 < r.ratio <= 1 for r in rows)


# --------------------------------------------------------------------------------------------- verdict rule
def _res(measured: float, bound: float, applicable: bool = True):
    failed = () if applicable else ("gamma <= 1",)
    return judge("c", measured, bound, tolerance(), applicable=applicable, hypotheses_failed=failed)


def test_verdict_rule_single():
    assert verdict(_res(1, 2))[0] == PASS
    assert verdict(_res(3, 2))[0] == FAIL
    v, why = verdict(_res(3, 2, applicable=False))
    assert v == SKIP and "gamma <= 1" in why


def test_verdict_rule_pairs():
    assert verdict(_res(1, 2), _res(1, 3))[0] == PASS
    assert verdict(_res(3, 2), _res(1, 3))[0] == ERRATUM  # printed violated, corrected holds
    assert verdict(_res(1, 2, False), _res(1, 3))[0] == ERRATUM  # printed inconsistent, corrected holds
    assert verdict(_res(3, 2), _res(4, 3))[0] == FAIL  # no correction explains it
    assert verdict(_res(1, 2, False), _res(1, 3, False))[0] == SKIP
    with pytest.raises(ValueError):
        verdict(None, None)


def test_row_fails_when_a_supporting_check_is_violated():
    r = R.row("c", "theorem", "p", "s", _res(1, 2), extra=[_res(5, 1)])
    assert r.verdict == FAIL and "supporting" in r.reason
    with pytest.raises(ValueError, match="verdict"):
        R.Row("c", "theorem", "p", "s", 1.0, 1.0, 1.0, "MAYBE", "")


def test_wrong_constant_makes_thm_4_3_fail():
    p = problems.get("abs_power")
    rho = 1.0
    gamma = 1.0 / (p.L0 + rho * p.L1)
    good = thm_4_3.rows_for(p, gamma, rho, 50)
    assert [r.verdict for r in good] == [PASS, PASS]
    delta = float(p.f(p.x0)) - p.f_star
    bad = thm_4_3.rows_for(p, gamma, rho, 50, constants={"Delta": delta / 100})  # a Δ 100× too small
    assert bad[1].verdict == FAIL and "corrected statement is violated" in bad[1].reason


def test_wrong_constant_makes_thm_4_5_fail():
    p = problems.get("abs_power")
    assert ucg_rates.rate_row("thm-4.5", p, 0.5, 100).verdict == PASS
    bad = ucg_rates.rate_row("thm-4.5", p, 0.5, 100, constants={"L0": p.L0 * 1e-4, "Delta": 1e-6})
    assert bad.verdict == FAIL


def test_constant_along_and_compare_use_the_pass_rule():
    t = run(A.ucg(problems.Quadratic1D(2.0, 0.125).norm, 0.25, 1.0), problems.Quadratic1D(2.0, 0.125), 6)
    assert R.constant_along("c", t.grad_dual_norm, 0.25).holds
    assert not R.constant_along("c", t.grad_dual_norm, 0.26).holds
    assert R.compare("c", 1.0, 1.0).holds and not R.compare("c", 1.1, 1.0).holds
    assert check_rate(t, "thm-4.5").passed


# --------------------------------------------------------------------------------------------- CLI
def test_cli_check_list(capsys):
    assert main(["check", "--list"]) == 0
    out = capsys.readouterr().out
    for cid in paper_checks.available():
        assert cid in out


def test_cli_check_quick_writes_deterministic_json_and_markdown(tmp_path, capsys):
    j1, j2, md = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.md"
    assert main(["check", "--quick", "--json", str(j1), "--markdown", str(md)]) == 0
    cap = capsys.readouterr()
    head = cap.out.splitlines()[0].split()
    assert head == ["CLAIM", "SOURCE", "PROBLEM", "MEASURED", "BOUND", "RATIO", "VERDICT"]
    assert "ERRATUM" in cap.out and "FAIL 0" in cap.out
    n = len(paper_checks.available())
    assert f"{n}/{n}" in cap.err and "[" in cap.err  # progress bar on stderr
    assert main(["check", "--quick", "--json", str(j2)]) == 0
    assert j1.read_bytes() == j2.read_bytes()
    doc = json.loads(j1.read_text())
    assert doc["exit_code"] == 0 and doc["seed"] == 0 and doc["quick"] is True
    assert [c["id"] for c in doc["claims"]] == paper_checks.available()
    assert doc["summary"]["FAIL"] == 0 and doc["summary"]["ERRATUM"] >= 4
    text = md.read_text()
    assert "| claim | source | problem |" in text and "**ERRATUM**" in text and "## Notes" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_cli_check_seed_changes_only_the_random_draws(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["check", "--quick", "--only", "table1-identities", "--seed", "1", "--json", str(a)]) == 0
    assert main(["check", "--quick", "--only", "table1-identities", "--seed", "2", "--json", str(b)]) == 0
    assert a.read_bytes() != b.read_bytes()


def test_cli_check_only(tmp_path, capsys):
    out = tmp_path / "o.json"
    assert main(["check", "--quick", "--only", "separation,prop-4.1", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert [c["id"] for c in doc["claims"]] == ["separation", "prop-4.1"]
    assert "table1-identities" not in capsys.readouterr().out


def test_cli_check_unknown_only_id_exits_2(capsys):
    assert main(["check", "--only", "thm-9.9"]) == 2
    err = capsys.readouterr().err
    assert "thm-9.9" in err and "Traceback" not in err


def test_cli_check_json_into_missing_directory_exits_2_without_a_file(tmp_path, capsys):
    target = tmp_path / "missing" / "x.json"
    assert main(["check", "--quick", "--only", "separation", "--json", str(target)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not target.exists() and not target.parent.exists()
    assert main(["check", "--quick", "--only", "separation", "--markdown", str(tmp_path)]) == 2


def test_cli_check_exit_code_1_on_fail(monkeypatch, tmp_path, capsys):
    def failing(quick, seed):
        return [R.row("fake", "theorem", "p", "s", _res(3, 2))]

    fake = Claim("fake-fail", "theorem", "always fails", failing)
    monkeypatch.setitem(paper_checks.CLAIMS, "fake-fail", fake)
    out = tmp_path / "f.json"
    assert main(["check", "--only", "fake-fail", "--json", str(out)]) == 1
    assert json.loads(out.read_text())["exit_code"] == 1
    assert "FAIL fake" in capsys.readouterr().out
    assert os.path.exists(out)


def test_package_docstring_example():
    import doctest

    result = doctest.testmod(paper_checks, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
