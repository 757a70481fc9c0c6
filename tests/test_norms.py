"""Tests of the norm geometries in :mod:`ggnc_theory.norms` (primal norm, dual norm, lmo, sharp operator).

Structure:

* ``CASES`` lists (geometry, shape) pairs covering every class in ``norms.NORMS``; the identity tests run on
  each of them, on every back end (NumPy, torch CPU, torch CUDA when present, array-api-strict when
  installed).
* Identities that hold for *any* minimiser (attainment, Hölder, sharp, homogeneity of the norms) are checked
  on adversarial hypothesis arrays (zeros, repeated entries, rank-deficient matrices). Identities that compare
  two lmo *points* (scale invariance, sharp homogeneity, back-end agreement) need a unique minimiser and are
  checked on Gaussian draws, where it is unique almost surely.
* An independent check of dual and lmo against cvxpy solves of ``min ⟨g, x⟩ s.t. ‖x‖ ≤ r``.
* Degenerate input, ties, validation errors and large-magnitude stability.

Every comparison goes through :mod:`ggnc_theory.tolerances`.
"""

from __future__ import annotations

import importlib.util
import math
import operator
import warnings
from dataclasses import dataclass

import array_api_compat
import numpy as np
import pytest
from conftest import BACKENDS, Backend, to_np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ggnc_theory import norms
from ggnc_theory.tolerances import Tolerance, tolerance

HAS_STRICT = importlib.util.find_spec("array_api_strict") is not None
HAS_CVXPY = importlib.util.find_spec("cvxpy") is not None

# NumPy / torch back ends of conftest plus array-api-strict, which only this file uses: it proves that the
# geometries call nothing outside the array API standard.
STRICT = pytest.param(
    Backend("array_api_strict"),
    id="array_api_strict",
    marks=pytest.mark.skipif(not HAS_STRICT, reason="array-api-strict is not installed"),
)
ALL_BACKENDS = [*BACKENDS, STRICT]
NUMPY_TORCH_CPU = [p for p in BACKENDS if p.id in ("numpy", "torch-cpu")]


# ============================================================================================ the cases
@dataclass(frozen=True)
class Case:
    id: str
    norm: norms.Norm
    spec: tuple  # a shape, or a tuple of shapes for a Product


CASES = [
    # vector norms (they act on all entries, so also on matrices)
    Case("l2-vec", norms.L2(), (7,)),
    Case("l2-mat", norms.L2(), (3, 4)),
    Case("l1-vec", norms.L1(), (7,)),
    Case("l1-mat", norms.L1(), (3, 4)),
    Case("linf-vec", norms.Linf(), (6,)),
    Case("linf-3d", norms.Linf(), (2, 3, 2)),
    Case("lp1.25", norms.Lp(p=1.25), (6,)),
    Case("lp1.5", norms.Lp(p=1.5), (6,)),
    Case("lp3", norms.Lp(p=3.0), (6,)),
    Case("lp7.5-mat", norms.Lp(p=7.5), (2, 4)),
    # matrix norms
    Case("frobenius", norms.Frobenius(), (4, 3)),
    Case("spectral-tall", norms.Spectral(), (4, 3)),
    Case("spectral-wide", norms.Spectral(), (3, 5)),
    Case("spectral-square", norms.Spectral(), (4, 4)),
    Case("spectral-rms-wide", norms.Spectral(rms=True), (3, 5)),
    Case("spectral-rms-tall", norms.Spectral(rms=True), (5, 2)),
    Case("nuclear-tall", norms.Nuclear(), (4, 3)),
    Case("nuclear-wide", norms.Nuclear(), (2, 5)),
    # Scion geometries
    Case("sign", norms.Sign(), (4, 3)),
    Case("sign-unnormalized", norms.Sign(normalized=False), (4, 3)),
    Case("sign-vec", norms.Sign(), (6,)),
    Case("colnorm", norms.ColNorm(), (4, 3)),
    Case("colnorm-normalized", norms.ColNorm(normalized=True), (3, 5)),
    Case("colnorm-transpose", norms.ColNorm(transpose=True), (4, 3)),
    Case("colnorm-normalized-transpose", norms.ColNorm(normalized=True, transpose=True), (5, 2)),
    Case("rownorm", norms.RowNorm(), (4, 3)),
    Case("rownorm-unnormalized", norms.RowNorm(normalized=False), (3, 5)),
    Case("rownorm-transpose", norms.RowNorm(transpose=True), (4, 3)),
    Case("rownorm-unnormalized-transpose", norms.RowNorm(normalized=False, transpose=True), (2, 5)),
    Case("bias_rms-1d", norms.BiasRMS(), (6,)),
    Case("bias_rms-2d", norms.BiasRMS(), (4, 3)),
    Case("spectral_conv-4d", norms.SpectralConv(), (3, 2, 3, 3)),
    Case("spectral_conv-4d-square", norms.SpectralConv(), (8, 2, 2, 2)),
    Case("spectral_conv-3d", norms.SpectralConv(), (2, 3, 2)),
    # products: mixed block types, radii ≠ 1
    Case(
        "product-l2-spectralrms-sign",
        norms.Product((norms.L2(), norms.Spectral(rms=True), norms.Sign()), radii=(2.0, 0.5, 3.0)),
        ((5,), (4, 3), (3, 2)),
    ),
    Case(
        "product-col-row-bias",
        norms.Product((norms.ColNorm(), norms.RowNorm(), norms.BiasRMS()), radii=(0.3, 1.0, 4.0)),
        ((4, 3), (3, 5), (4,)),
    ),
    Case(
        "product-lp-l1-nuclear-conv",
        norms.Product(
            (norms.Lp(p=3.0), norms.L1(), norms.Nuclear(), norms.SpectralConv()), radii=(1.5, 0.7, 2.0, 0.25)
        ),
        ((5,), (4,), (3, 3), (2, 2, 2, 2)),
    ),
    Case("product-single-linf", norms.Product((norms.Linf(),)), ((4,),)),
]

CASE_PARAMS = [pytest.param(c.norm, c.spec, id=c.id) for c in CASES]
CASE_BY_ID = {c.id: c for c in CASES}
PRODUCT_PARAMS = [pytest.param(c.norm, c.spec, id=c.id) for c in CASES if isinstance(c.norm, norms.Product)]


def is_product_spec(spec: tuple) -> bool:
    return isinstance(spec[0], tuple)


# ============================================================================================ helpers
def examples(n: int):
    """hypothesis settings with ``n`` examples under the default "ci" profile (40 examples), scaled with the
    active profile's ``max_examples`` (so ``GGNC_HYPOTHESIS_PROFILE=dev`` explores proportionally more)."""
    return settings(max_examples=max(1, round(n * settings.default.max_examples / 40)))


def _elements() -> st.SearchStrategy[float]:
    """Finite floats of moderate magnitude, |v| ∈ {0} ∪ [1e-3, 1e3] (no underflow of squares or powers)."""
    mag = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(0.0), mag, mag.map(operator.neg))


def adversarial_points(spec: tuple) -> st.SearchStrategy:
    """hypothesis arrays of the spec's shape(s): many zeros, repeated entries, rank-deficient matrices."""
    if is_product_spec(spec):
        return st.tuples(*(arrays(np.float64, s, elements=_elements()) for s in spec))
    return arrays(np.float64, spec, elements=_elements())


@st.composite
def gaussian_points(draw, spec: tuple):
    """A seed → Gaussian draw times a random scale in [1e-2, 1e2] (unique minimisers almost surely)."""
    seed = draw(st.integers(0, 2**32 - 1))
    scale = 10.0 ** draw(st.floats(-2.0, 2.0))
    return gaussian(spec, seed, scale)


def gaussian(spec: tuple, seed: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    if is_product_spec(spec):
        return tuple(scale * rng.standard_normal(s) for s in spec)
    return scale * rng.standard_normal(spec)


def scalars_both_signs() -> st.SearchStrategy[float]:
    mag = st.floats(1e-2, 1e2)
    return st.one_of(mag, mag.map(operator.neg))


def leaves(x) -> list:
    return list(x) if isinstance(x, tuple) else [x]


def tree_map_np(fn, *xs):
    if isinstance(xs[0], tuple):
        return tuple(fn(*ls) for ls in zip(*xs))
    return fn(*xs)


def inner(a, b) -> float:
    """⟨a, b⟩ in float64 on the host (blocks summed)."""
    return float(
        sum(
            np.sum(np.asarray(x, np.float64) * np.asarray(y, np.float64))
            for x, y in zip(leaves(a), leaves(b))
        )
    )


def inner_scale(a, b) -> float:
    """Σ|a_i||b_i|: the magnitude that rounding errors of ⟨a, b⟩ are relative to."""
    return float(
        sum(
            np.sum(np.abs(np.asarray(x, np.float64) * np.asarray(y, np.float64)))
            for x, y in zip(leaves(a), leaves(b))
        )
    )


def sup_abs(x) -> float:
    return max(float(np.max(np.abs(leaf))) if leaf.size else 0.0 for leaf in leaves(x))


def val(x) -> float:
    """A 0-D array as a Python float."""
    arr = to_np(x)
    assert np.ndim(arr) == 0, f"expected a 0-D result, got shape {np.shape(arr)}"
    return float(arr)


def is_zero(x) -> bool:
    return all(not np.any(leaf) for leaf in leaves(x))


def assert_points_close(actual, expected, tol: Tolerance, what: str) -> None:
    """Elementwise ``Tolerance.close`` on (tuples of) arrays: |a − b| ≤ atol + rtol·max(|a|, |b|)."""
    for i, (a, b) in enumerate(zip(leaves(actual), leaves(expected))):
        a = np.asarray(a, np.float64)
        b = np.asarray(b, np.float64)
        assert a.shape == b.shape, f"{what}[{i}]: shape {a.shape} != {b.shape}"
        bound = tol.atol + tol.rtol * np.maximum(np.abs(a), np.abs(b))
        bad = ~(np.abs(a - b) <= bound)
        assert not np.any(bad), (
            f"{what}[{i}]: max |diff| {np.max(np.abs(a - b)):.3e} exceeds the tolerance {tol}"
        )


def same_backend(out, ref) -> None:
    """``out`` lives on the namespace, dtype and device of ``ref`` (blockwise for blocks).

    (NumPy reductions return NumPy scalars, which are 0-D members of the NumPy namespace.)"""
    for o, r in zip(leaves(out), leaves(ref)):
        ns_o, ns_r = array_api_compat.array_namespace(o), array_api_compat.array_namespace(r)
        assert ns_o is ns_r, f"result namespace {ns_o.__name__} != input namespace {ns_r.__name__}"
        assert o.dtype == r.dtype, f"result dtype {o.dtype} != input dtype {r.dtype}"
        assert array_api_compat.device(o) == array_api_compat.device(r), "result is on another device"


# ============================================================================================ coverage
def test_cases_cover_every_registered_norm():
    covered = {type(c.norm) for c in CASES}
    for c in CASES:
        if isinstance(c.norm, norms.Product):
            covered |= {type(b) for b in c.norm.blocks}
    missing = set(norms.NORMS.values()) - covered
    assert not missing, f"norms without a test case: {sorted(cls.__name__ for cls in missing)}"
    assert norms.available() == sorted(norms.NORMS)


# ============================================================================================ identities
@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(15)
@given(data=st.data())
def test_lmo_attains_minus_radius_times_dual(norm, spec, backend, data):
    """⟨g, lmo(g, r)⟩ = −r·‖g‖_*, ‖lmo(g, r)‖ = r for g ≠ 0, lmo(0) = 0; dual_lmo agrees with dual and lmo."""
    g_np = data.draw(adversarial_points(spec), label="g")
    r = data.draw(st.floats(0.1, 10.0), label="radius")
    g = backend.tree(g_np)
    d = val(norm.dual(g))
    s = to_np(norm.lmo(g, r))
    assert d >= 0.0
    tol = tolerance("float64", scale=r * d + inner_scale(g_np, s))
    assert tol.close(inner(g_np, s), -r * d), f"<g, lmo> = {inner(g_np, s)!r}, -r*dual = {-r * d!r}"
    if is_zero(g_np):
        assert d == 0.0 and is_zero(s), "dual(0) must be 0 and lmo(0) the zero array"
    else:
        n = val(norm(backend.tree(s)))
        assert tolerance("float64", scale=r).close(n, r), f"‖lmo(g, r)‖ = {n!r}, r = {r!r}"
    d2, s2 = norm.dual_lmo(g, r)
    assert tolerance("float64", scale=d).close(val(d2), d)
    assert_points_close(to_np(s2), s, tolerance("float64", scale=r), "dual_lmo(g)[1] vs lmo(g)")


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(15)
@given(data=st.data())
def test_sharp_identities(norm, spec, backend, data):
    """⟨g, g♯⟩ = ‖g♯‖² = ‖g‖_*², and g♯ = −‖g‖_*·lmo(g)."""
    g_np = data.draw(adversarial_points(spec), label="g")
    g = backend.tree(g_np)
    d = val(norm.dual(g))
    sh = to_np(norm.sharp(g))
    tol = tolerance("float64", scale=d * d + inner_scale(g_np, sh))
    assert tol.close(inner(g_np, sh), d * d), f"<g, g#> = {inner(g_np, sh)!r}, dual^2 = {d * d!r}"
    n = val(norm(backend.tree(sh)))
    assert tolerance("float64", scale=d * d).close(n * n, d * d), f"‖g#‖² = {n * n!r}, dual² = {d * d!r}"
    expected = tree_map_np(lambda a: -d * a, to_np(norm.lmo(g)))
    assert_points_close(sh, expected, tolerance("float64", scale=sup_abs(expected)), "sharp(g) vs -dual*lmo")


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(15)
@given(data=st.data())
def test_holder_inequality(norm, spec, backend, data):
    """⟨g, x⟩ ≤ ‖g‖_*·‖x‖ for independent g and x (both signs of the pairing)."""
    g_np = data.draw(adversarial_points(spec), label="g")
    x_np = data.draw(adversarial_points(spec) | gaussian_points(spec), label="x")
    d = val(norm.dual(backend.tree(g_np)))
    n = val(norm(backend.tree(x_np)))
    assert n >= 0.0
    bound = d * n
    tol = tolerance("float64", scale=bound + inner_scale(g_np, x_np))
    assert tol.leq(inner(g_np, x_np), bound), f"<g, x> = {inner(g_np, x_np)!r} > dual*norm = {bound!r}"
    assert tol.leq(-inner(g_np, x_np), bound), f"<-g, x> = {-inner(g_np, x_np)!r} > dual*norm = {bound!r}"


def _l2_witnesses(shape: tuple) -> list:
    """Arrays where ‖v‖/‖v‖₂ is extremal for our geometries: every one-hot array (rank one, one column, one
    row), the all-ones array (Hölder's equality case) and, for matrices, the rectangular identity (equal
    singular values)."""
    out = []
    for k in range(math.prod(shape)):
        e = np.zeros(math.prod(shape))
        e[k] = 1.0
        out.append(e.reshape(shape))
    out.append(np.ones(shape))
    if len(shape) == 2:
        out.append(np.eye(*shape))
    return out


def _witnesses(spec: tuple) -> list:
    if not is_product_spec(spec):
        return _l2_witnesses(spec)
    out = []  # inside one block, zeros elsewhere: the Product's constant is attained in its worst block
    for i, s in enumerate(spec):
        for w in _l2_witnesses(s):
            out.append(tuple(w if j == i else np.zeros(t) for j, t in enumerate(spec)))
    return out


def _l2(x) -> float:
    return math.sqrt(sum(float(np.sum(np.asarray(a) ** 2)) for a in leaves(x)))


def check_l2_equivalence(norm: norms.Norm, spec: tuple, backend, v) -> None:
    c = norm.l2_equivalence(backend.tree(gaussian(spec, 0)))
    assert c is not None and c > 0
    n = val(norm(backend.tree(v)))
    assert tolerance("float64", scale=c * _l2(v)).leq(n, c * _l2(v)), f"‖v‖ = {n!r} > ζ_*·‖v‖₂ = {c * _l2(v)!r}"
    best = max(val(norm(backend.tree(w))) / _l2(w) for w in _witnesses(spec))
    assert tolerance("float64", scale=c).close(best, c), f"max over witnesses {best!r} != ζ_* = {c!r}"


@pytest.mark.parametrize("backend", NUMPY_TORCH_CPU)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(10)
@given(data=st.data())
def test_l2_equivalence_is_a_bound_and_attained(norm, spec, backend, data):
    """ζ_* = l2_equivalence(x): ‖v‖ ≤ ζ_*·‖v‖₂ for every v, with equality for some v (the smallest such c)."""
    v = data.draw(adversarial_points(spec) | gaussian_points(spec), label="v")
    check_l2_equivalence(norm, spec, backend, v)


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_l2_equivalence_check_catches_a_wrong_constant(monkeypatch, factor):
    """Too small (the bound fails on the identity) or too large (never attained): the check fails."""
    right = norms.Nuclear.l2_equivalence
    monkeypatch.setattr(norms.Nuclear, "l2_equivalence", lambda self, x: factor * right(self, x))
    numpy_backend = next(p.values[0] for p in BACKENDS if p.id == "numpy")
    with pytest.raises(AssertionError):
        check_l2_equivalence(norms.Nuclear(), (3, 4), numpy_backend, np.eye(3, 4))


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(10)
@given(data=st.data())
def test_norm_and_dual_absolute_homogeneity(norm, spec, backend, data):
    """‖a·x‖ = |a|·‖x‖ and ‖a·g‖_* = |a|·‖g‖_* for a of both signs."""
    x_np = data.draw(adversarial_points(spec), label="x")
    a = data.draw(scalars_both_signs(), label="a")
    ax_np = tree_map_np(lambda v: a * v, x_np)
    for f, name in ((norm, "norm"), (norm.dual, "dual")):
        base = val(f(backend.tree(x_np)))
        scaled = val(f(backend.tree(ax_np)))
        tol = tolerance("float64", scale=abs(a) * base)
        assert tol.close(scaled, abs(a) * base), (
            f"{name}(a x) = {scaled!r}, |a| {name}(x) = {abs(a) * base!r}"
        )


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(10)
@given(data=st.data())
def test_sharp_homogeneity_both_signs(norm, spec, backend, data):
    """(a·g)♯ = a·g♯ for a of both signs (Gaussian g: the lmo is unique)."""
    g_np = data.draw(gaussian_points(spec), label="g")
    a = data.draw(scalars_both_signs(), label="a")
    sh = to_np(norm.sharp(backend.tree(g_np)))
    sh_a = to_np(norm.sharp(backend.tree(tree_map_np(lambda v: a * v, g_np))))
    expected = tree_map_np(lambda v: a * v, sh)
    assert_points_close(
        sh_a, expected, tolerance("float64", scale=sup_abs(expected)), "sharp(a g) vs a sharp(g)"
    )


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(10)
@given(data=st.data())
def test_lmo_positive_scale_invariance(norm, spec, backend, data):
    """lmo(a·g, r) = lmo(g, r) for a > 0, and lmo(−g, r) = −lmo(g, r) (Gaussian g: unique lmo)."""
    g_np = data.draw(gaussian_points(spec), label="g")
    a = data.draw(st.floats(1e-3, 1e3), label="a")
    r = data.draw(st.floats(0.1, 10.0), label="radius")
    s = to_np(norm.lmo(backend.tree(g_np), r))
    s_a = to_np(norm.lmo(backend.tree(tree_map_np(lambda v: a * v, g_np)), r))
    s_neg = to_np(norm.lmo(backend.tree(tree_map_np(operator.neg, g_np)), r))
    tol = tolerance("float64", scale=sup_abs(s))
    assert_points_close(s_a, s, tol, "lmo(a g) vs lmo(g)")
    assert_points_close(s_neg, tree_map_np(operator.neg, s), tol, "lmo(-g) vs -lmo(g)")


# ============================================================================================ back ends
@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_results_on_input_backend_and_match_numpy(norm, spec, backend):
    """norm/dual/lmo/sharp/dual_lmo return arrays of the input's namespace, dtype and device (0-D scalars),
    with the NumPy reference values."""
    for seed in (0, 1):
        g_np = gaussian(spec, seed)
        x_np = gaussian(spec, seed + 100)
        g, x = backend.tree(g_np), backend.tree(x_np)
        scalar_ref = leaves(g)[0]
        outs = {
            "norm": norm(x),
            "dual": norm.dual(g),
            "lmo": norm.lmo(g, 0.7),
            "sharp": norm.sharp(g),
            "dual_lmo[0]": norm.dual_lmo(g, 0.7)[0],
            "dual_lmo[1]": norm.dual_lmo(g, 0.7)[1],
        }
        refs = {
            "norm": norm(x_np),
            "dual": norm.dual(g_np),
            "lmo": norm.lmo(g_np, 0.7),
            "sharp": norm.sharp(g_np),
            "dual_lmo[0]": norm.dual(g_np),
            "dual_lmo[1]": norm.lmo(g_np, 0.7),
        }
        for key, out in outs.items():
            if key in ("norm", "dual", "dual_lmo[0]"):
                assert not isinstance(out, tuple) and out.ndim == 0, f"{key}: expected a 0-D array"
                same_backend(out, scalar_ref)
            else:
                assert isinstance(out, tuple) == isinstance(g, tuple), f"{key}: block structure changed"
                if isinstance(out, tuple):
                    assert len(out) == len(g)
                    for o, gl in zip(out, g):
                        assert tuple(o.shape) == tuple(gl.shape)
                else:
                    assert tuple(out.shape) == tuple(g.shape)
                same_backend(out, g)
            ref = to_np(refs[key])
            assert_points_close(to_np(out), ref, tolerance("float64", scale=sup_abs(ref)), f"{key} vs NumPy")


# float32: the same identities with the float32 tolerance (sqrt(eps) ≈ 3.5e-4), NumPy and torch CPU.
@pytest.mark.parametrize("backend", NUMPY_TORCH_CPU)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
@examples(8)
@given(data=st.data())
def test_identities_float32(norm, spec, backend, data):
    g_np = data.draw(gaussian_points(spec), label="g")
    r = data.draw(st.floats(0.1, 10.0), label="radius")
    g32 = backend.tree(g_np, "float32")
    g_host = tree_map_np(lambda v: np.asarray(v, np.float32).astype(np.float64), g_np)  # the rounded input
    d_arr, s_arr = norm.dual_lmo(g32, r)
    same_backend(d_arr, leaves(g32)[0])
    same_backend(s_arr, g32)
    d, s = val(d_arr), to_np(s_arr)
    tol = tolerance("float32", scale=r * d + inner_scale(g_host, s))
    assert tol.close(inner(g_host, s), -r * d), f"<g, lmo> = {inner(g_host, s)!r}, -r*dual = {-r * d!r}"
    assert tolerance("float32", scale=r).close(val(norm(backend.tree(s, "float32"))), r)
    ref = val(norm.dual(g_host))  # float64 reference on the rounded input
    assert tolerance("float32", scale=ref).close(d, ref), f"float32 dual {d!r} vs float64 {ref!r}"


# ============================================================================================ batched API
def _batch_of(spec: tuple, seed: int, n: int):
    """n Gaussian items stacked along a leading axis (blockwise for a Product), with item 1 zero."""
    items = [gaussian(spec, seed + i, 10.0 ** (i % 3 - 1)) for i in range(n)]
    zero = tree_map_np(np.zeros_like, items[0])
    items[1] = zero
    if is_product_spec(spec):
        return tuple(np.stack([it[j] for it in items]) for j in range(len(spec))), items
    return np.stack(items), items


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_batch_matches_item_by_item(norm, spec, backend):
    """batch / batch_dual / batch_lmo over a leading axis equal the single-item operations, item by item, on
    the input's back end (vectorised or looped alike)."""
    X_np, items = _batch_of(spec, 3, 5)
    X = backend.tree(X_np)
    got = {
        "batch": to_np(norm.batch(X)),
        "batch_dual": to_np(norm.batch_dual(X)),
    }
    want = {
        "batch": np.array([val(norm(backend.tree(it))) for it in items]),
        "batch_dual": np.array([val(norm.dual(backend.tree(it))) for it in items]),
    }
    for k in got:
        assert got[k].shape == (5,), f"{k}: shape {got[k].shape}"
        assert_points_close(got[k], want[k], tolerance("float64", scale=float(np.max(want[k]))), k)
    L = norm.batch_lmo(X, 2.5)
    same_backend(L, X)
    want_l = [to_np(norm.lmo(backend.tree(it), 2.5)) for it in items]
    got_l = to_np(L)
    for i, w in enumerate(want_l):
        gi = tuple(a[i] for a in got_l) if isinstance(got_l, tuple) else got_l[i]
        assert_points_close(gi, w, tolerance("float64", scale=2.5 * max(1.0, sup_abs(w))), f"batch_lmo[{i}]")


@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_batch_of_zero_items_and_validation(norm, spec):
    X_np, _ = _batch_of(spec, 0, 3)
    empty = tree_map_np(lambda a: a[:0], X_np)
    assert to_np(norm.batch(empty)).shape == (0,)
    assert to_np(norm.batch_dual(empty)).shape == (0,)
    with pytest.raises(ValueError, match="radius"):
        norm.batch_lmo(X_np, 0.0)
    if is_product_spec(spec):
        with pytest.raises(ValueError, match="one per block"):
            norm.batch(X_np[:-1])
        if len(spec) > 1:
            with pytest.raises(ValueError, match="different batch sizes"):
                norm.batch((X_np[0][:2],) + X_np[1:])
    else:
        with pytest.raises(ValueError, match="leading axis"):
            norm.batch(np.float64(1.0))
        with pytest.raises(ValueError, match="single array"):
            norm.batch((X_np, X_np))


@pytest.mark.parametrize(
    "norm", [norms.L2(), norms.L1(), norms.Linf(), norms.Lp(p=3.0), norms.Sign()], ids=lambda n: type(n).__name__
)
def test_vectorised_batch_lets_a_nonfinite_row_through(norm):
    """The vectorised paths do not raise on an overflowing item (problems.certify counts such rows): the
    other rows are exact, the bad one non-finite."""
    X = np.stack([np.full((2, 3), 1e308), np.ones((2, 3)), np.array([[np.inf, 0, 0], [0, 0, 0]])])
    with np.errstate(over="ignore"):
        X = X * np.array([10.0, 1.0, 1.0])[:, None, None]
    v = norm.batch(X)
    assert not np.isfinite(v[0]) and not np.isfinite(v[2])
    assert tolerance("float64").close(float(v[1]), float(norm(np.ones((2, 3)))))


# ============================================================================================ product
@pytest.mark.parametrize("backend", NUMPY_TORCH_CPU)
@pytest.mark.parametrize("norm,spec", PRODUCT_PARAMS)
@examples(15)
@given(data=st.data())
def test_product_dual_attained_by_blockwise_lmos(norm, spec, backend, data):
    """x* = (−r_l·lmo_l(g_l))_l built from the *blocks'* lmos is feasible (‖x*‖ = 1) and ⟨g, x*⟩ = ‖g‖_*,
    and the Product's own lmo(−g) is that point: the dual is Σ r_l‖g_l‖_{l,*} (not Σ ‖g_l‖_{l,*}/r_l)."""
    g_np = data.draw(gaussian_points(spec), label="g")
    g = backend.tree(g_np)
    x_star = tuple(-rl * to_np(b.lmo(gl)) for b, gl, rl in zip(norm.blocks, g, norm.radii))
    d = val(norm.dual(g))
    tol = tolerance("float64", scale=d + inner_scale(g_np, x_star))
    assert tolerance("float64").close(val(norm(backend.tree(x_star))), 1.0)
    assert tol.close(inner(g_np, x_star), d), f"<g, x*> = {inner(g_np, x_star)!r}, dual = {d!r}"
    own = to_np(norm.lmo(backend.tree(tree_map_np(operator.neg, g_np))))
    assert_points_close(own, x_star, tolerance("float64", scale=sup_abs(x_star)), "lmo(-g) vs blockwise")
    contributions = [val(c) for c in norm.block_duals(g)]
    assert tolerance("float64", scale=d).close(sum(contributions), d)


@pytest.mark.parametrize("norm,spec", PRODUCT_PARAMS)
def test_product_dual_never_exceeded_by_random_feasible_points(norm, spec):
    """⟨g, x⟩ ≤ ‖g‖_* for many random x in the unit product ball: random directions rescaled onto the ball,
    points with every block on its own sphere ‖x_l‖_l = r_l, and points mixing optimal and random blocks."""
    rng = np.random.default_rng(7)
    for trial in range(5):
        g = gaussian(spec, 1000 + trial)
        d = val(norm.dual(g))
        optimal = tuple(-rl * to_np(b.lmo(gl)) for b, gl, rl in zip(norm.blocks, g, norm.radii))
        best = -math.inf
        for _ in range(60):
            y = tuple(rng.standard_normal(s) for s in spec)
            kind = rng.integers(3)
            if kind == 0:  # anywhere inside the ball
                x = tuple(v * (rng.uniform(0.0, 1.0) / val(norm(y))) for v in y)
            elif kind == 1:  # every block on its own sphere: all constraints active
                x = tuple(rl * v / val(b(v)) for b, v, rl in zip(norm.blocks, y, norm.radii))
            else:  # some blocks optimal, the others random on their sphere
                keep = rng.integers(2, size=len(spec)).astype(bool)
                x = tuple(
                    o if k else rl * v / val(b(v))
                    for o, v, k, b, rl in zip(optimal, y, keep, norm.blocks, norm.radii)
                )
            n = val(norm(x))
            assert tolerance("float64").leq(n, 1.0), f"test point outside the unit ball: ‖x‖ = {n!r}"
            value = inner(g, x)
            best = max(best, value)
            assert tolerance("float64", scale=d + inner_scale(g, x)).leq(value, d), (
                f"<g, x> = {value!r} > dual {d!r}"
            )
        assert best > 0.0  # the sampler does explore: the pairing is not trivially ≤ 0


@pytest.mark.skipif(not HAS_CVXPY, reason="cvxpy is not installed")
@pytest.mark.parametrize("norm,spec", PRODUCT_PARAMS)
def test_product_dual_equals_cvxpy_sup_over_unit_ball(norm, spec):
    """max ⟨g, x⟩ s.t. ‖x_l‖_l ≤ r_l for all l, solved by cvxpy, equals ‖g‖_*."""
    import cvxpy as cp

    for seed in (3, 4):
        g = gaussian(spec, seed)
        models = [cvx_model(b, gl.shape) for b, gl in zip(norm.blocks, g)]
        xs = [cp.Variable(m.shape) for m in models]
        objective = cp.Maximize(
            sum(cp.sum(cp.multiply(m.to_model(gl), x)) for m, gl, x in zip(models, g, xs))
        )
        constraints = [m.expr(x) <= rl for m, x, rl in zip(models, xs, norm.radii)]
        prob = cp.Problem(objective, constraints)
        prob.solve(solver=cp.CLARABEL)
        assert prob.status == cp.OPTIMAL, prob.status
        d = val(norm.dual(g))
        assert SOLVER_TOL(d).close(prob.value, d), f"cvxpy sup {prob.value!r} vs dual {d!r}"


# ============================================================================================ cvxpy
def SOLVER_TOL(scale: float) -> Tolerance:
    """cvxpy/Clarabel's accuracy: optimal values are accurate to about 1e-6 relative (not our dtype rule)."""
    return Tolerance(rtol=1e-6, atol=1e-6 * abs(scale))


def SOLVER_POINT_TOL(radius: float) -> Tolerance:
    """A value accurate to δ pins the minimiser over a ball only to O(√δ) (the objective is flat to first
    order along the boundary near the optimum), so solver points are compared at √1e-6 = 1e-3 of the
    radius."""
    return Tolerance(rtol=0.0, atol=math.sqrt(1e-6) * radius)


@dataclass(frozen=True)
class CvxModel:
    """‖·‖ written in cvxpy on a model space: x ↦ to_model(x) (a reshape or transpose), expr on the model."""

    shape: tuple
    expr: object
    to_model: object
    from_model: object


def cvx_model(norm: norms.Norm, shape: tuple) -> CvxModel:
    """The geometry's primal norm as an independent cvxpy expression (formulas from the paper / Scion)."""
    import cvxpy as cp

    size = math.prod(shape)

    def flat(expr):
        return CvxModel((size,), expr, lambda a: np.reshape(a, (size,)), lambda a: np.reshape(a, shape))

    def as_matrix(mshape, expr):
        return CvxModel(mshape, expr, lambda a: np.reshape(a, mshape), lambda a: np.reshape(a, shape))

    def transposed(expr):
        return CvxModel(shape[::-1], expr, lambda a: np.transpose(a), lambda a: np.transpose(a))

    if isinstance(norm, norms.Frobenius):
        return as_matrix(shape, lambda X: cp.norm(X, "fro"))
    if isinstance(norm, norms.L2):
        return flat(lambda X: cp.norm(X, 2))
    if isinstance(norm, norms.L1):
        return flat(lambda X: cp.norm1(X))
    if isinstance(norm, norms.Linf):
        return flat(lambda X: cp.norm_inf(X))
    if isinstance(norm, norms.Lp):
        return flat(lambda X: cp.pnorm(X, norm.p))
    if isinstance(norm, norms.Spectral):
        d_out, d_in = shape
        c = math.sqrt(d_in / d_out) if norm.rms else 1.0  # Scion's RMS→RMS operator norm
        return as_matrix(shape, lambda X: c * cp.sigma_max(X))
    if isinstance(norm, norms.SpectralConv):
        c_out, c_in, taps = shape[0], shape[1], math.prod(shape[2:])
        c = taps * math.sqrt(c_in / c_out)
        return as_matrix((c_out, c_in * taps), lambda X: c * cp.sigma_max(X))
    if isinstance(norm, norms.Nuclear):
        return as_matrix(shape, lambda X: cp.normNuc(X))
    if isinstance(norm, norms.Sign):
        d_in = shape[-1]
        c = float(d_in) if norm.normalized else 1.0
        return flat(lambda X: c * cp.max(cp.abs(X)))
    if isinstance(norm, (norms.ColNorm, norms.RowNorm)):
        d_out, d_in = shape[::-1] if norm.transpose else shape
        if isinstance(norm, norms.ColNorm):
            c = (d_in if norm.normalized else 1.0) / math.sqrt(d_out)
            expr = lambda X: c * cp.max(cp.norm(X, 2, axis=0))
        else:
            c = math.sqrt(d_in) if norm.normalized else 1.0
            expr = lambda X: c * cp.max(cp.norm(X, 2, axis=1))
        return transposed(expr) if norm.transpose else as_matrix(shape, expr)
    if isinstance(norm, norms.BiasRMS):
        d0 = shape[0]
        return as_matrix((d0, size // d0), lambda X: cp.max(cp.norm(X, 2, axis=0)) / math.sqrt(d0))
    raise AssertionError(f"no cvxpy model for {norm!r}")


def cvx_lmo(norm: norms.Norm, g, radius: float):
    """(status, optimal value, minimiser) of min ⟨g, x⟩ s.t. ‖x‖ ≤ radius, solved by cvxpy/Clarabel."""
    import cvxpy as cp

    blocks = norm.blocks if isinstance(norm, norms.Product) else (norm,)
    radii = norm.radii if isinstance(norm, norms.Product) else (1.0,)
    gs = leaves(g)
    models = [cvx_model(b, gl.shape) for b, gl in zip(blocks, gs)]
    xs = [cp.Variable(m.shape) for m in models]
    objective = cp.Minimize(sum(cp.sum(cp.multiply(m.to_model(gl), x)) for m, gl, x in zip(models, gs, xs)))
    # the product max-norm ball ‖x‖ ≤ R is the intersection of the block balls ‖x_l‖_l ≤ R·r_l
    constraints = [m.expr(x) <= radius * rl for m, x, rl in zip(models, xs, radii)]
    prob = cp.Problem(objective, constraints)
    prob.solve(solver=cp.CLARABEL)
    x = tuple(m.from_model(v.value) for m, v in zip(models, xs))
    return prob.status, prob.value, (x if isinstance(norm, norms.Product) else x[0])


@pytest.mark.skipif(not HAS_CVXPY, reason="cvxpy is not installed")
def test_cvx_models_match_primal_norms():
    """The cvxpy expressions used below evaluate to the library's primal norms (so both sides are the same
    optimisation problem; a wrong formula on either side fails here or in the solve tests)."""
    import cvxpy as cp

    for c in CASES:
        if isinstance(c.norm, norms.Product):
            continue
        x = gaussian(c.spec, 5)
        m = cvx_model(c.norm, c.spec)
        expected = val(c.norm(x))
        value = float(m.expr(cp.Constant(m.to_model(x))).value)
        assert tolerance("float64", scale=expected).close(value, expected), (
            f"{c.id}: cvxpy {value!r} vs {expected!r}"
        )
        assert np.array_equal(m.from_model(m.to_model(x)), x)


@pytest.mark.skipif(not HAS_CVXPY, reason="cvxpy is not installed")
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_lmo_and_dual_match_cvxpy(norm, spec):
    """min ⟨g, x⟩ s.t. ‖x‖ ≤ r by cvxpy: its optimum equals −r·‖g‖_* and ⟨g, lmo(g, r)⟩; the solver's point
    is feasible for our primal norm; and since Gaussian g has a unique minimiser for every geometry here
    (full-rank matrices, simple top singular value, no ties, no zero entries/columns), the points agree."""
    import cvxpy as cp

    for seed, r in ((11, 1.0), (12, 2.3)):
        g = gaussian(spec, seed)
        status, value, x_cvx = cvx_lmo(norm, g, r)
        assert status == cp.OPTIMAL, f"cvxpy status {status}"
        d, s = norm.dual_lmo(g, r)
        d, s = val(d), to_np(s)
        tol = SOLVER_TOL(r * d)
        assert tol.close(value, -r * d), f"cvxpy optimum {value!r} vs -r*dual {-r * d!r}"
        assert tol.close(inner(g, s), value), f"<g, lmo> = {inner(g, s)!r} vs cvxpy optimum {value!r}"
        assert tol.leq(val(norm(x_cvx)), r), "cvxpy's minimiser is infeasible for the library's primal norm"
        assert_points_close(x_cvx, s, SOLVER_POINT_TOL(r), "cvxpy minimiser vs lmo")


# ============================================================================================ degenerate inpu
@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_zero_input_gives_zero_lmo_and_dual_without_warnings(norm, spec, backend):
    zero_np = tree_map_np(np.zeros_like, gaussian(spec, 0))
    zero = backend.tree(zero_np)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = val(norm.dual(zero))
        n = val(norm(zero))
        outs = {
            "lmo": to_np(norm.lmo(zero, 2.0)),
            "sharp": to_np(norm.sharp(zero)),
            "dual_lmo": to_np(norm.dual_lmo(zero)[1]),
        }
        d2 = val(norm.dual_lmo(zero)[0])
    assert d == 0.0 and n == 0.0 and d2 == 0.0, (d, n, d2)
    for key, out in outs.items():
        for leaf in leaves(out):
            assert not np.any(np.isnan(leaf)), f"{key}(0) contains NaN"
            assert np.all(leaf == 0.0), f"{key}(0) is not zero"


@pytest.mark.parametrize("backend", BACKENDS)
def test_tie_l1_picks_first_maximal_entry(backend):
    norm = norms.L1()
    cases = [
        ([3.0, -3.0, 1.0], [-2.0, 0.0, 0.0]),
        ([1.0, -3.0, 3.0], [0.0, 2.0, 0.0]),
        ([0.0, 0.0, 0.0, -5.0, 5.0], [0.0, 0.0, 0.0, 2.0, 0.0]),
        ([[0.0, 2.0], [-2.0, 2.0]], [[0.0, -2.0], [0.0, 0.0]]),  # first in row-major order
    ]
    for g, expected in cases:
        s = to_np(norm.lmo(backend.asarray(np.array(g)), 2.0))
        assert np.array_equal(s, np.array(expected)), f"lmo({g}) = {s.tolist()}, expected {expected}"


@pytest.mark.parametrize("backend", BACKENDS)
@examples(30)
@given(g=arrays(np.float64, st.sampled_from([(5,), (2, 3)]), elements=st.integers(-2, 2).map(float)))
def test_tie_l1_first_argmax_on_integer_arrays(backend, g):
    """Small-integer arrays have many ties; the lmo is at the first (row-major) maximiser of |g_i|."""
    s = to_np(norms.L1().lmo(backend.asarray(g), 1.5)).reshape(-1)
    flat = g.reshape(-1)
    expected = np.zeros_like(flat)
    if np.any(flat):
        i = int(np.argmax(np.abs(flat)))  # NumPy returns the first maximiser
        expected[i] = -1.5 * np.sign(flat[i])
    assert np.array_equal(s, expected), f"lmo({flat.tolist()}) = {s.tolist()}"


@pytest.mark.parametrize("backend", BACKENDS)
@examples(20)
@given(g=arrays(np.float64, (3, 4), elements=st.integers(-2, 2).map(float)))
def test_tie_linf_and_sign_map_zero_entries_to_zero(backend, g):
    for norm, c in ((norms.Linf(), 1.0), (norms.Sign(), 4.0), (norms.Sign(normalized=False), 1.0)):
        s = to_np(norm.lmo(backend.asarray(g), 3.0))
        expected = -3.0 / c * np.sign(g)
        assert_points_close(s, expected, tolerance("float64", scale=3.0), f"{norm!r}.lmo")
        assert np.all(s[g == 0] == 0.0), f"{norm!r}: a zero entry got a non-zero lmo entry"


ZERO_COLUMN = np.array([[1.0, 0.0, 2.0], [-3.0, 0.0, 1.0]])
ZERO_ROW = np.array([[0.0, 0.0, 0.0], [-3.0, 4.0, 1.0]])
COLUMN = (slice(None), 1)
ROW = (0, slice(None))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "norm,g,zero_slice",
    [
        (norms.ColNorm(), ZERO_COLUMN, COLUMN),
        (norms.ColNorm(normalized=True), ZERO_COLUMN, COLUMN),
        (norms.RowNorm(transpose=True), ZERO_COLUMN, COLUMN),
        (norms.BiasRMS(), ZERO_COLUMN, COLUMN),
        (norms.RowNorm(), ZERO_ROW, ROW),
        (norms.ColNorm(transpose=True), ZERO_ROW, ROW),
    ],
)
def test_zero_column_or_row_gets_zero_lmo(norm, g, zero_slice, backend):
    """A zero column (row) gets a zero lmo column (row), without NaN or warning; identities still hold."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = to_np(norm.lmo(backend.asarray(g), 1.0))
        d = val(norm.dual(backend.asarray(g)))
    assert np.all(s[zero_slice] == 0.0), f"{norm!r}: zero slice got {s[zero_slice]}"
    assert not np.any(np.isnan(s))
    assert tolerance("float64", scale=d).close(inner(g, s), -d)
    assert tolerance("float64").close(val(norm(s)), 1.0)


def _orthogonal(rng, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _check_identities(norm, G_np, backend, r: float):
    G = backend.asarray(G_np)
    d = val(norm.dual(G))
    s = to_np(norm.lmo(G, r))
    sh = to_np(norm.sharp(G))
    assert tolerance("float64", scale=r * d).close(inner(G_np, s), -r * d)
    assert tolerance("float64", scale=r).close(val(norm(backend.asarray(s))), r)
    assert tolerance("float64", scale=d * d).close(inner(G_np, sh), d * d)
    assert tolerance("float64", scale=d * d).close(val(norm(backend.asarray(sh))) ** 2, d * d)
    return d, s


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_tie_spectral_identity_matrix(backend, scale):
    """All singular values equal: lmo(c·I) = −r·I exactly (the partial isometry UVᵀ is unique)."""
    d, s = _check_identities(norms.Spectral(), scale * np.eye(3), backend, 1.5)
    assert tolerance("float64", scale=3 * scale).close(d, 3 * scale)
    assert_points_close(s, -1.5 * np.eye(3), tolerance("float64", scale=1.5), "lmo(cI)")


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tie_spectral_rank_deficient_repeated_singular_values(backend, seed):
    """σ = (3, 3, 1, 0): lmo = −r·U_3V_3ᵀ (repeated top value), zero on the null space of G and Gᵀ."""
    rng = np.random.default_rng(seed)
    m, n = 5, 4
    Q1, Q2 = _orthogonal(rng, m), _orthogonal(rng, n)
    sigma = np.array([3.0, 3.0, 1.0, 0.0])
    G = Q1[:, :n] @ np.diag(sigma) @ Q2.T
    r = 0.8
    for norm, c in ((norms.Spectral(), 1.0), (norms.Spectral(rms=True), math.sqrt(m / n))):
        d, s = _check_identities(norm, G, backend, r)
        assert tolerance("float64", scale=7.0 * c).close(d, 7.0 * c)
        expected = -(r * c) * Q1[:, :3] @ Q2[:, :3].T
        assert_points_close(s, expected, tolerance("float64", scale=r * c), f"{norm!r}.lmo (documented form)")
        null_right = s @ Q2[:, 3:]
        null_left = Q1[:, 3:].T @ s
        tol = tolerance("float64", scale=r * c)
        assert tol.close(float(np.max(np.abs(null_right))), 0.0), "lmo is not zero on the null space of G"
        assert tol.close(float(np.max(np.abs(null_left))), 0.0), "lmo is not zero on the null space of Gᵀ"


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_tie_spectral_rank_one_exact(backend):
    G = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])  # = u vᵀ with u = (1,2,3), v = (1,2)
    u = np.array([1.0, 2.0, 3.0]) / math.sqrt(14.0)
    v = np.array([1.0, 2.0]) / math.sqrt(5.0)
    d, s = _check_identities(norms.Spectral(), G, backend, 2.0)
    assert tolerance("float64", scale=d).close(d, math.sqrt(14.0 * 5.0))
    assert_points_close(s, -2.0 * np.outer(u, v), tolerance("float64", scale=2.0), "rank-one lmo")
    assert_points_close(
        to_np(norms.SpectralConv().lmo(backend.asarray(G.reshape(3, 2, 1)), 2.0)).reshape(3, 2),
        -2.0 * math.sqrt(3 / 2) * np.outer(u, v),
        tolerance("float64", scale=2.0),
        "SpectralConv rank-one lmo",
    )


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_tie_nuclear_repeated_top_singular_value(backend, seed):
    """σ = (2, 2, 1): any top pair minimises; the lmo is rank one, in the top singular subspaces, and the
    identities hold."""
    rng = np.random.default_rng(seed)
    Q1, Q2 = _orthogonal(rng, 4), _orthogonal(rng, 3)
    G = Q1[:, :3] @ np.diag([2.0, 2.0, 1.0]) @ Q2.T
    r = 1.3
    for Gi in (G, 2.0 * np.eye(3)):
        d, s = _check_identities(norms.Nuclear(), Gi, backend, r)
        assert tolerance("float64", scale=2.0).close(d, 2.0)
        sv = np.linalg.svd(s, compute_uv=False)
        assert tolerance("float64", scale=r).close(float(sv[0]), r)
        assert tolerance("float64", scale=r).close(float(sv[1]), 0.0), "the nuclear lmo is not rank one"
    # column space of the lmo lies in span(Q1[:, :2]), row space in span(Q2[:, :2])
    _, s = _check_identities(norms.Nuclear(), G, backend, r)
    tol = tolerance("float64", scale=r)
    assert tol.close(float(np.max(np.abs(Q1[:, 2:].T @ s))), 0.0)
    assert tol.close(float(np.max(np.abs(s @ Q2[:, 2:]))), 0.0)


# ============================================================================================ validation
def _with_bad_entry(spec: tuple, bad: float):
    g = gaussian(spec, 0)
    if isinstance(g, tuple):
        last = g[-1].copy()
        last.reshape(-1)[-1] = bad
        return g[:-1] + (last,)
    g = g.copy()
    g.reshape(-1)[0] = bad
    return g


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("norm,spec", CASE_PARAMS)
def test_nonfinite_input_raises_naming_the_argument(norm, spec, bad, backend):
    x = backend.tree(_with_bad_entry(spec, bad))
    with pytest.raises(ValueError, match=r"^x\b"):
        norm(x)
    for name, call in (
        ("dual", lambda: norm.dual(x)),
        ("lmo", lambda: norm.lmo(x, 1.0)),
        ("sharp", lambda: norm.sharp(x)),
        ("dual_lmo", lambda: norm.dual_lmo(x)),
    ):
        with pytest.raises(ValueError, match=r"^g\b"):
            call()


@pytest.mark.parametrize("radius", [0.0, -1.0, math.inf, math.nan, "big"])
@pytest.mark.parametrize("case_id", ["l2-vec", "spectral-tall", "product-l2-spectralrms-sign"])
def test_invalid_lmo_radius_raises(case_id, radius):
    norm, spec = CASE_BY_ID[case_id].norm, CASE_BY_ID[case_id].spec
    g = gaussian(spec, 0)
    with pytest.raises(ValueError, match="radius"):
        norm.lmo(g, radius)
    with pytest.raises(ValueError, match="radius"):
        norm.dual_lmo(g, radius)


WRONG_NDIM = [
    (norms.Spectral(), (4,)),
    (norms.Spectral(), (2, 3, 4)),
    (norms.Spectral(rms=True), (4,)),
    (norms.Frobenius(), (6,)),
    (norms.Nuclear(), (6,)),
    (norms.Nuclear(), (2, 2, 2)),
    (norms.ColNorm(), (5,)),
    (norms.RowNorm(), (2, 2, 2)),
    (norms.SpectralConv(), (4, 6)),
    (norms.SpectralConv(), (4,)),
    (norms.L2(), ()),
    (norms.L1(), ()),
    (norms.Linf(), ()),
    (norms.Lp(p=3.0), ()),
    (norms.Sign(), ()),
    (norms.BiasRMS(), ()),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "norm,shape", WRONG_NDIM, ids=lambda v: repr(v) if isinstance(v, tuple) else type(v).__name__
)
def test_wrong_ndim_raises_naming_the_argument(norm, shape, backend):
    x = backend.asarray(np.ones(shape))
    with pytest.raises(ValueError, match=r"^x\b"):
        norm(x)
    for call in (norm.dual, norm.lmo, norm.sharp, norm.dual_lmo):
        with pytest.raises(ValueError, match=r"^g\b"):
            call(x)


def test_single_array_geometry_rejects_block_and_non_array_input():
    with pytest.raises(ValueError, match=r"^g\b"):
        norms.L2().dual((np.ones(3), np.ones(3)))
    with pytest.raises(ValueError, match=r"^x\b"):
        norms.L2()([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^g\b"):
        norms.Spectral().lmo("not an array")


def test_product_validation_errors():
    P = norms.Product((norms.L2(), norms.Spectral()), radii=(1.0, 2.0))
    g = (np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"^g\b.*expected 2 blocks, got 1"):
        P.dual(g[:1])
    with pytest.raises(ValueError, match=r"^g\b.*expected 2 blocks, got 3"):
        P.lmo(g + (np.ones(2),))
    with pytest.raises(ValueError, match=r"^x\b"):
        P(np.ones(3))  # a single array, not a block point
    with pytest.raises(ValueError, match=r"^g\[1\]"):
        P.dual((np.ones(3), np.ones(4)))  # block 1 has the wrong ndim for Spectral
    with pytest.raises(ValueError, match="nested"):
        norms.Product((norms.L2(), P))
    with pytest.raises(ValueError, match="radii"):
        norms.Product((norms.L2(), norms.L1()), radii=(1.0,))
    with pytest.raises(ValueError, match="radii"):
        norms.Product((norms.L2(),), radii=(1.0, 2.0))
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"radii\[1\]"):
            norms.Product((norms.L2(), norms.L1()), radii=(1.0, bad))
    with pytest.raises(ValueError, match="blocks"):
        norms.Product(())
    with pytest.raises(ValueError, match=r"blocks\[0\]"):
        norms.Product(("l2",))


def test_registry_get_builds_every_norm_and_rejects_unknown_names():
    for name in norms.available():
        kwargs = {"blocks": (norms.L2(),)} if name == "product" else {}
        obj = norms.get(name, **kwargs)
        assert type(obj) is norms.NORMS[name] and obj.name == name
    assert norms.get("lp", p=2.5) == norms.Lp(p=2.5)
    assert norms.get("spectral", method="newton_schulz", steps=3).steps == 3
    with pytest.raises(ValueError) as err:
        norms.get("nope")
    message = str(err.value)
    assert "nope" in message and all(name in message for name in norms.available()), message
    with pytest.raises(ValueError, match="available"):
        norms.get(None)
    with pytest.raises(ValueError, match="l2"):
        norms.get("l2", bogus=1)


@pytest.mark.parametrize("p", [1, 1.0, 0.5, 0, -2, math.inf, math.nan])
def test_lp_rejects_exponents_outside_open_interval(p):
    with pytest.raises(ValueError, match=r"^p\b"):
        norms.Lp(p=p)


@pytest.mark.parametrize("cls", [norms.Spectral, norms.SpectralConv])
def test_spectral_rejects_bad_method_table_and_steps(cls):
    with pytest.raises(ValueError, match="method"):
        cls(method="bad")
    with pytest.raises(ValueError, match="bad"):
        cls(coefficients="bad")
    with pytest.raises(ValueError, match="available"):
        cls(method="newton_schulz", coefficients="bad")
    for steps in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="steps"):
            cls(method="newton_schulz", steps=steps)


# ============================================================================================ large magnitude
@pytest.mark.parametrize("backend", NUMPY_TORCH_CPU)
@pytest.mark.parametrize("p", [1.25, 1.5, 3.0, 7.5])
@pytest.mark.parametrize("magnitude", [1e200, 1e-200])
def test_lp_large_and_tiny_magnitude_stable(p, magnitude, backend):
    """Entries ~1e200 (|g|^q would overflow) or ~1e-200 (would underflow): finite dual, lmo, norm and sharp,
    the identities hold, and everything is the scaled value of the moderate-magnitude computation."""
    norm = norms.Lp(p=p)
    r = 1.7
    for seed in (0, 1):
        g0 = gaussian((8,), seed)
        g_np = magnitude * g0
        g = backend.asarray(g_np)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            d = val(norm.dual(g))
            s = to_np(norm.lmo(g, r))
            n = val(norm(g))
            sh = to_np(norm.sharp(g))
        assert math.isfinite(d) and d > 0.0 and math.isfinite(n) and n > 0.0
        assert np.all(np.isfinite(s)) and np.all(np.isfinite(sh))
        d0 = val(norm.dual(g0))
        assert tolerance("float64", scale=magnitude * d0).close(d, magnitude * d0)
        assert tolerance("float64", scale=magnitude * val(norm(g0))).close(n, magnitude * val(norm(g0)))
        # ⟨g, lmo⟩ = −r·dual computed on g/magnitude (the products are representable either way)
        assert tolerance("float64", scale=r * d0).close(inner(g0, s), -r * d / magnitude)
        assert tolerance("float64", scale=r).close(val(norm(backend.asarray(s))), r)
        assert_points_close(s, to_np(norm.lmo(g0, r)), tolerance("float64", scale=r), "lmo(M g) vs lmo(g)")
        sh0 = to_np(norm.sharp(g0))
        assert_points_close(
            sh / magnitude, sh0, tolerance("float64", scale=sup_abs(sh0)), "sharp(M g)/M vs sharp(g)"
        )


@pytest.mark.parametrize(
    "norm,shape",
    [
        (norms.L2(), (5,)),
        (norms.Frobenius(), (3, 4)),
        (norms.ColNorm(), (3, 4)),
        (norms.RowNorm(transpose=True), (3, 4)),
        (norms.BiasRMS(), (6,)),
        (norms.BiasRMS(), (3, 2)),
    ],
    ids=lambda v: repr(v) if not isinstance(v, tuple) else str(v),
)
@pytest.mark.parametrize("dtype,magnitude", [("float64", 1e200), ("float64", 1e-200), ("float32", 1e-30), ("float32", 1e30)])
def test_l2_family_large_and_tiny_magnitude_stable(norm, shape, dtype, magnitude):
    """Squaring entries near the overflow/underflow threshold must not give inf, 0 or a zero lmo."""
    rng = np.random.default_rng(42)
    g = (magnitude * rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d, s = norm.dual_lmo(g, 1.0)
    d = float(d)
    assert np.isfinite(d) and d > 0
    tol = tolerance(dtype, factor=10.0)
    assert tol.close(float(np.sum(g.astype(np.float64) * s.astype(np.float64))) / d, -1.0)
    assert tol.close(float(norm(s)), 1.0)


@pytest.mark.parametrize("norm", [norms.L2(), norms.Lp(3.0), norms.Linf(), norms.L1(), norms.ColNorm()], ids=repr)
def test_lmo_of_subnormal_gradient_is_finite_unit(norm):
    """A gradient whose norm is subnormal (5e-324 scale) still gives a finite lmo of norm 1 (no −r/‖g‖ = inf)."""
    g = np.array([[5e-324, -1e-323], [0.0, 5e-324]])
    g = g.ravel() if not isinstance(norm, norms.ColNorm) else g
    s = np.asarray(norm.lmo(g, 2.0))
    assert np.all(np.isfinite(s))
    assert tolerance("float64", factor=10.0).close(float(norm(s)), 2.0)
