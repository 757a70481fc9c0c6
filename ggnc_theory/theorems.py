r"""The paper's theorems, lemmas and per-step inequalities as data (arXiv v3 numbering; SPEC §3, §7, §8).

Every result is a frozen :class:`Theorem`: its statement, the quantity it bounds, its hypotheses as named
predicates on ``(constants, params)``, an evaluable ``bound(constants, params, n)`` and, where the paper gives
them, its parameter choices ``prescribe(constants, n)``. Where SPEC §8 records an erratum the registry holds
**both** statements as separate entries, labelled by ``variant`` (``"as_printed"`` or ``"corrected"``) and
linked through ``counterpart``; ``note`` cites the erratum number.

Keys. ``constants``: ``L0, L1`` (Assumption 4.2), ``L`` (L-smooth), ``Delta`` (Δ = f(x¹) − f⋆), ``sigma2``
(σ², Assumption 4.8), ``zeta, zeta_star, D2`` (SPEC §1.2; see :func:`norm_constants`), and for the corrected
stochastic lemmas the initial error ``lambda1_sq`` (E‖λ¹‖₂²) or ``grad1_l2`` (‖∇f(x¹)‖₂, from which
E‖λ¹‖₂² ≤ α²σ² + (1 − α)²‖∇f(x¹)‖₂² since d⁰ = 0). ``params``: ``gamma, rho, alpha, beta, variant`` and
``stochastic`` (the algorithm's); lemmas take their per-step inputs there too (``prev_err``, ``grad_dual``,
``k``).
A missing key raises ``ValueError`` naming it.

Hypotheses are compared with the one tolerance rule of :mod:`ggnc_theory.tolerances` (float64), so a choice
that meets a hypothesis with equality (γ = 1/(2L0) with ρ = L0/L1) is not rejected by rounding.

Registered ids (``available()``)::

    prop-4.1                         uCG, L-smooth
    thm-4.3 / thm-4.3-corrected      deterministic GGNC (the correction is derived here, not in SPEC §8)
    thm-4.3-special / -corrected     the "specifically" clause ρ = L0/L1, γ = 1/L0 (erratum 1: γ = 1/(2L0))
    thm-4.5                          uCG under (L0,L1)
    poster-sd                        SD, γ = 1/L: √(2LΔ/n)
    thm-4.7 / thm-4.7-corrected      deterministic S3CG (erratum 2: 2β → 2√2β)
    thm-4.9 / -proof / -corrected    stochastic GGNC (errata 3, 5)
    thm-4.11 / thm-4.11-corrected    stochastic S3CG Variant 1 (errata 4, 5: the proof's form (32))
    thm-b.5 / thm-b.5-corrected      stochastic S3CG Variant 2 (erratum 10)
    lemma-b.1 … lemma-b.4 (+ -corrected for B.2, B.3, B.4; errata 5, 6)
    trust-region-step / -corrected   step length of the trust-region reading (erratum 8)
    product-dual / -corrected        dual of the product max-norm (erratum 7)

The per-step inequalities (SPEC §1.3, §3, §7) are plain vectorised functions returning the *guaranteed
decrease* δ_k in f(x^{k+1}) ≤ f(x^k) − δ_k (:func:`ggnc_descent`, :func:`sd_descent`, :func:`ucg_descent`,
:func:`ucg_descent_loose`, :func:`s3cg_descent`, :func:`l0l1_descent`, :func:`l_smooth_descent`), and
:data:`DESCENT_RULES` holds their statements and hypotheses for the checkers in :mod:`verify`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import norms as _norms
from .tolerances import tolerance

__all__ = [
    "DESCENT_RULES",
    "MEASURES",
    "THEOREMS",
    "VARIANTS",
    "DescentRule",
    "Hypothesis",
    "Theorem",
    "available",
    "get",
    "get_rule",
    "ggnc_descent",
    "l0l1_descent",
    "l_smooth_descent",
    "norm_constants",
    "s3cg_descent",
    "sd_descent",
    "ucg_descent",
    "ucg_descent_loose",
]

VARIANTS = ("as_printed", "corrected")

#: How :func:`verify.checkers.check_rate` measures a theorem's quantity on trajectories.
MEASURES = {
    "min_grad": "min_k ‖∇f(x^k)‖_*",
    "avg_grad": "(1/n) Σ_k ‖∇f(x^k)‖_*  (= E‖∇f(x̄_n)‖_* for x̄_n uniform over the iterates; ≥ min_k)",
    "min_gap": "min_k gap(x^k), gap(x) = ⟨∇f(x), x − β·lmo(∇f(x))⟩",
    "avg_gap": "(1/n) Σ_k gap(x^k)  (the Wolfe gap the proof of Thm 4.7 bounds)",
    "sup_u_avg_inner": "sup_{u∈βD} (1/n) Σ_k ⟨∇f(x^k), x^k − u⟩ = avg⟨∇f(x^k), x^k⟩ + β‖avg ∇f(x^k)‖_*",
}

_TOL = tolerance("float64")


# --------------------------------------------------------------------------------------------- inputs
class _Req(Mapping):
    """Read-only view of constants/params that raises ``ValueError`` naming a missing key."""

    def __init__(self, data: Mapping[str, Any] | None, kind: str, owner: str):
        self._d = dict(data or {})
        self._kind = kind
        self._owner = owner

    def __getitem__(self, key: str) -> Any:
        value = self._d.get(key)
        if value is None:
            raise ValueError(f"{self._owner}: missing {self._kind} {key!r}")
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        return value

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def has(self, key: str) -> bool:
        return self._d.get(key) is not None


def _pos(value: float, name: str, owner: str, *, allow_inf: bool = False) -> float:
    v = float(value)
    if not (v > 0) or (math.isinf(v) and not allow_inf) or math.isnan(v):
        raise ValueError(f"{owner}: {name} must be {'> 0' if allow_inf else 'finite and > 0'}, got {value!r}")
    return v


def _nonneg(value: float, name: str, owner: str) -> float:
    v = float(value)
    if not (v >= 0) or not math.isfinite(v):
        raise ValueError(f"{owner}: {name} must be finite and ≥ 0, got {value!r}")
    return v


def _inv(x: float) -> float:
    """1/x with 1/0 = ∞ (L1 = 0 removes the constraint)."""
    return math.inf if x == 0 else 1.0 / x


def _times(a: float, b: float) -> float:
    """a·b with ∞·0 = 0 (ρ = ∞ with L1 = 0 adds nothing)."""
    return 0.0 if a == 0 or b == 0 else a * b


def _le(a: float, b: float) -> bool:
    """a ≤ b under the one tolerance rule (b may be +∞)."""
    return _TOL.leq(float(a), float(b))


def _eq(a: float, b: float) -> bool:
    a, b = float(a), float(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return _TOL.close(a, b)


# --------------------------------------------------------------------------------------------- data types
@dataclass(frozen=True)
class Hypothesis:
    """A named predicate ``test(constants, params, n) -> bool`` of a theorem.

    Attributes:
        name: the condition as a formula (e.g. ``"gamma <= 1/(L0 + rho*L1)"``).
        source: where the paper states it (e.g. ``"Thm 4.3"``), with any caveat.
        test: the predicate; reads constants/params through a mapping that raises ``ValueError`` on a
            missing key.
        needs_n: whether it depends on the horizon n.
    """

    name: str
    source: str
    test: Callable[[Mapping, Mapping, int | None], bool]
    needs_n: bool = False

    def describe(self) -> str:
        """``"name (source)"``, the string reported when the hypothesis fails."""
        return f"{self.name} ({self.source})"


def _hyp(name: str, source: str, test: Callable, needs_n: bool = False) -> Hypothesis:
    return Hypothesis(name=name, source=source, test=test, needs_n=needs_n)


def _failed(owner: str, hyps: tuple[Hypothesis, ...], constants, params, n) -> list[str]:
    c, p = _Req(constants, "constant", owner), _Req(params, "parameter", owner)
    out = []
    for h in hyps:
        if h.needs_n and n is None:
            raise ValueError(f"{owner}: hypothesis {h.name!r} depends on the horizon; pass n")
        if not h.test(c, p, n):
            out.append(h.describe())
    return out


@dataclass(frozen=True)
class Theorem:
    r"""A theorem, lemma or identity of the paper as data (STYLE B6).

    Attributes:
        id: registry id, e.g. ``"thm-4.3"`` (arXiv v3 numbering).
        reference: location in the paper.
        statement: the statement in words and formulas (as printed, or as corrected for
            ``variant="corrected"``).
        quantity: what is bounded, as measured by the checkers.
        measure: key of :data:`MEASURES` used by ``check_rate`` (None for lemmas and identities).
        kind: ``"rate"``, ``"lemma"`` or ``"identity"``.
        algorithm: the algorithm it is about (``"ggnc"``, ``"ucg"``, ``"steepest_descent"``, ``"s3cg"``)
            or None.
        assumptions: problem-level assumptions (``"l0l1_smooth"``, ``"l_smooth"``, ``"stochastic_oracle"``,
            ``"bounded_domain"``).
        hypotheses: parameter hypotheses (:class:`Hypothesis`).
        tight: True if the bound is an identity / attained; all rate bounds here are upper bounds (False).
        variant: ``"as_printed"`` or ``"corrected"``.
        note: the erratum (SPEC §8 number) or caveat.
        counterpart: id of the other variant, if any.
        bound_fn, prescribe_fn: the formulas; call :meth:`bound` and :meth:`prescribe`.
    """

    id: str
    reference: str
    statement: str
    quantity: str
    measure: str | None
    kind: str
    algorithm: str | None
    assumptions: frozenset[str]
    hypotheses: tuple[Hypothesis, ...]
    bound_fn: Callable[[Mapping, Mapping, int], float] = field(repr=False)
    prescribe_fn: Callable[[Mapping, int], dict] | None = field(default=None, repr=False)
    tight: bool = False
    variant: str = "as_printed"
    note: str = ""
    counterpart: str | None = None

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {self.variant!r}")
        if self.measure is not None and self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {sorted(MEASURES)} or None, got {self.measure!r}")

    def bound(self, constants: Mapping[str, Any], params: Mapping[str, Any], n: int) -> float:
        """Evaluate the right-hand side for horizon ``n`` (does not check the hypotheses)."""
        n = _horizon(n, self.id)
        return float(
            self.bound_fn(_Req(constants, "constant", self.id), _Req(params, "parameter", self.id), n)
        )

    def prescribe(self, constants: Mapping[str, Any], n: int) -> dict:
        """The paper's parameter choice for horizon ``n``; ``ValueError`` if the paper gives none."""
        if self.prescribe_fn is None:
            raise ValueError(f"{self.id}: the paper prescribes no parameter choice for this result")
        n = _horizon(n, self.id)
        return dict(self.prescribe_fn(_Req(constants, "constant", self.id), n))

    def check_hypotheses(
        self, constants: Mapping[str, Any], params: Mapping[str, Any], n: int | None = None
    ) -> list[str]:
        """Descriptions of the hypotheses that fail (empty list: all hold).

        Raises ``ValueError`` if a needed constant/parameter is missing, or if a hypothesis depends on the
        horizon and ``n`` is None.
        """
        if n is not None:
            n = _horizon(n, self.id)
        return _failed(self.id, self.hypotheses, constants, params, n)

    def applies(self, constants: Mapping[str, Any], params: Mapping[str, Any], n: int | None = None) -> bool:
        """True if every hypothesis holds."""
        return not self.check_hypotheses(constants, params, n)


def _horizon(n: Any, owner: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{owner}: n must be a positive integer, got {n!r}")
    return int(n)


# --------------------------------------------------------------------------------------------- hypotheses
def _deterministic(c, p, n) -> bool:
    alpha = p["alpha"] if p.has("alpha") else 1.0
    stochastic = p["stochastic"] if p.has("stochastic") else False
    return alpha == 1.0 and not stochastic


H_DETERMINISTIC = _hyp(
    "deterministic: d^k = ∇f(x^k) (alpha = 1, exact gradients)", "deterministic setting", _deterministic
)
H_GGNC = _hyp(
    "gamma <= 1/(L0 + rho*L1)",
    "Thm 4.3",
    lambda c, p, n: _le(p["gamma"], _inv(c["L0"] + _times(p["rho"], c["L1"]))),
)
H_UCG_45 = _hyp(
    "gamma*rho <= 1/(2*L1)",
    "Thm 4.5; printed strict '<', the proof and the poster use '<='",
    lambda c, p, n: _le(p["gamma"] * p["rho"], _inv(2.0 * c["L1"])),
)
H_SD_GAMMA = _hyp("gamma = 1/L", "poster SD theorem", lambda c, p, n: _eq(p["gamma"], _inv(c["L"])))
H_S3CG_GAMMA = _hyp("gamma <= 1/L", "Thm 4.7", lambda c, p, n: _le(p["gamma"], _inv(c["L"])))
H_S3CG_RHO = _hyp("rho <= L", "Thm 4.7 (so gamma*rho <= 1)", lambda c, p, n: _le(p["rho"], c["L"]))
H_49_GAMMA = _hyp("gamma <= 1/L0", "Thm 4.9", lambda c, p, n: _le(p["gamma"], _inv(c["L0"])))
H_49_GR = _hyp(
    "gamma*rho <= 1/(2*L1)", "Thm 4.9", lambda c, p, n: _le(p["gamma"] * p["rho"], _inv(2.0 * c["L1"]))
)
H_ALPHA_SQRT_N = _hyp(
    "alpha = 1/sqrt(n)",
    "Lemmas B.2/B.4 (used to evaluate eps_n)",
    lambda c, p, n: _eq(p["alpha"], n**-0.5),
    True,
)
H_B2_GR = _hyp(
    "gamma*rho <= 1/(2*n^(3/4)*L1)",
    "Lemma B.2; printed strict '<', but the prescribed choice attains equality and the proof needs only '<='",
    lambda c, p, n: _le(p["gamma"] * p["rho"], _inv(2.0 * n**0.75 * c["L1"])),
    True,
)
H_ALPHA_RANGE = _hyp("0 < alpha <= 1 (constant)", "Algorithm 1/2", lambda c, p, n: 0.0 < p["alpha"] <= 1.0)
H_411_GAMMA = _hyp(
    "gamma <= 1/(L*sqrt(n))", "Thm 4.11", lambda c, p, n: _le(p["gamma"], _inv(c["L"] * math.sqrt(n))), True
)
H_411_RHO = _hyp("rho <= n^(-1/4)", "Thm 4.11", lambda c, p, n: _le(p["rho"], n**-0.25), True)
H_B4_GR = _hyp(
    "gamma*rho <= 1/(L*n^(3/4))",
    "Lemma B.4; printed strict '<', the prescribed choice attains equality",
    lambda c, p, n: _le(p["gamma"] * p["rho"], _inv(c["L"] * n**0.75)),
    True,
)
H_V1 = _hyp("variant = 1", "Thm 4.11 (Algorithm 2, Variant 1)", lambda c, p, n: int(p["variant"]) == 1)
H_V2 = _hyp("variant = 2", "Thm B.5 (Algorithm 2, Variant 2)", lambda c, p, n: int(p["variant"]) == 2)


# --------------------------------------------------------------------------------------------- formulas
def _gr(p, owner: str) -> tuple[float, float]:
    return _pos(p["gamma"], "gamma", owner), _pos(p["rho"], "rho", owner, allow_inf=True)


def _delta(c, owner: str) -> float:
    return _nonneg(c["Delta"], "Delta", owner)


def _over(a: float, b: float) -> float:
    """a/b with a/∞ = 0."""
    return 0.0 if math.isinf(b) else a / b


def _prop_4_1(c, p, n):
    g, r = _gr(p, "prop-4.1")
    D = _delta(c, "prop-4.1")
    return D / (g * r * n) + c["L"] * g * r / 2.0


def _thm_4_3(factor: float):
    def f(c, p, n):
        g, r = _gr(p, "thm-4.3")
        D = _delta(c, "thm-4.3")
        return math.sqrt(factor * D / (g * n)) + _over(2.0 * D, g * r * n)

    return f


def _rho_special(c) -> float:
    """ρ = L0/L1 of the special case (∞ when L1 = 0)."""
    return math.inf if c["L1"] == 0 else c["L0"] / c["L1"]


def _thm_4_3_special(c, p, n):
    D = _delta(c, "thm-4.3-special")
    return math.sqrt(c["L0"] * D / n) + 2.0 * c["L1"] * D / n


def _thm_4_3_special_corrected(c, p, n):
    D = _delta(c, "thm-4.3-special-corrected")
    return math.sqrt(2.0 * c["L0"] * D / n) + 4.0 * c["L1"] * D / n


def _prescribe_special(gamma_factor: float):
    def f(c, n):
        L0 = _pos(c["L0"], "L0", "thm-4.3-special")
        return {"gamma": 1.0 / (gamma_factor * L0), "rho": _rho_special(c), "alpha": 1.0}

    return f


def _thm_4_5(c, p, n):
    g, r = _gr(p, "thm-4.5")
    D = _delta(c, "thm-4.5")
    return 2.0 * D / (g * r * n) + 2.0 * c["L0"] * g * r


def _poster_sd(c, p, n):
    return math.sqrt(2.0 * c["L"] * _delta(c, "poster-sd") / n)


def _thm_4_7(first: float):
    def f(c, p, n):
        g, r = _gr(p, "thm-4.7")
        D = _delta(c, "thm-4.7")
        beta = _pos(p["beta"], "beta", "thm-4.7")
        return first * beta * math.sqrt(D / (g * n)) + 2.0 * D / (g * r * n)

    return f


def _lambda1_sq(c, p, owner: str) -> float:
    """E‖λ¹‖₂² = α²E‖ξ-noise‖² + (1−α)²‖∇f(x¹)‖₂² ≤ α²σ² + (1−α)²‖∇f(x¹)‖₂² (d⁰ = 0), or as given."""
    if c.has("lambda1_sq"):
        return _nonneg(c["lambda1_sq"], "lambda1_sq", owner)
    a = p["alpha"]
    return a * a * c["sigma2"] + (1.0 - a) ** 2 * c["grad1_l2"] ** 2


def _lemma_b1(c, p, n):
    a = _pos(p["alpha"], "alpha", "lemma-b.1")
    g, r = _gr(p, "lemma-b.1")
    zs = c["zeta_star"]
    return (
        (1.0 - a / 2.0) * p["prev_err"]
        + a * a * c["sigma2"]
        + (4.0 * g * g * zs * zs * r * r / a) * (c["L0"] ** 2 + c["L1"] ** 2 * p["grad_dual"] ** 2)
    )


def _lemma_b2(c, p, n):
    zs, L, L1 = c["zeta_star"], c["L"], c["L1"]
    return 2.0 * (c["sigma2"] + (math.inf if L1 == 0 else zs * zs * L * L / (L1 * L1))) / math.sqrt(n)


def _ggnc_stationary(c, p) -> float:
    """Fixed point of Lemma B.1 with (L0, L1) → (L, 0): 2ασ² + 8γ²ρ²ζ_*²L²/α²."""
    a = _pos(p["alpha"], "alpha", "lemma-b.2-corrected")
    g, r = _gr(p, "lemma-b.2-corrected")
    zs, L = c["zeta_star"], c["L"]
    return 2.0 * a * c["sigma2"] + 8.0 * (g * r * zs * L) ** 2 / (a * a)


def _s3cg_stationary(c, p) -> float:
    """Fixed point of corrected Lemma B.3: 2ασ² + 16ζ_*²L²β²γ²ρ²/α²."""
    a = _pos(p["alpha"], "alpha", "lemma-b.4-corrected")
    g, r = _gr(p, "lemma-b.4-corrected")
    zs, L, beta = c["zeta_star"], c["L"], _pos(p["beta"], "beta", "lemma-b.4-corrected")
    return 2.0 * a * c["sigma2"] + 16.0 * (zs * L * beta * g * r) ** 2 / (a * a)


def _mean_over_k(h: Callable[[np.ndarray], np.ndarray], c, p, n, stationary: Callable, owner: str) -> float:
    """(1/n) Σ_{k=1}^n h(E_k) with E_k = (1 − α/2)^{k−1}·E‖λ¹‖₂² + stationary (corrected Lemmas B.2/B.4).

    h is increasing. Terms are summed exactly while the initial-error part is above 1e-17 of the total; the
    remaining (identical to rounding) terms are bounded above by h at the last such E_k, so the result is an
    upper bound and memory stays O(√n·log) for α = 1/√n.
    """
    a = _pos(p["alpha"], "alpha", owner)
    q = 1.0 - a / 2.0
    E1 = _lambda1_sq(c, p, owner)
    S = stationary(c, p)
    if E1 == 0.0:
        return float(h(np.array([S]))[0])
    floor = 1e-17 * max(S, E1)
    K = n if E1 <= floor else min(n, 1 + math.ceil(math.log(floor / E1) / math.log(q)))
    E = q ** np.arange(K, dtype=np.float64) * E1 + S
    total = float(np.sum(h(E)))
    if K < n:
        total += (n - K) * float(h(np.array([E[-1]]))[0])
    return total / n


def _lemma_corrected(stationary: Callable, owner: str):
    def f(c, p, n):
        k = int(p["k"]) if p.has("k") else 1
        if not 1 <= k:
            raise ValueError(f"{owner}: k must be ≥ 1, got {k}")
        a = _pos(p["alpha"], "alpha", owner)
        return (1.0 - a / 2.0) ** (k - 1) * _lambda1_sq(c, p, owner) + stationary(c, p)

    return f


def _lemma_b3(beta_power: int):
    def f(c, p, n):
        a = _pos(p["alpha"], "alpha", "lemma-b.3")
        g, r = _gr(p, "lemma-b.3")
        zs, L, beta = c["zeta_star"], c["L"], _pos(p["beta"], "beta", "lemma-b.3")
        return (
            (1.0 - a / 2.0) * p["prev_err"]
            + a * a * c["sigma2"]
            + 8.0 * zs * zs * L * L * beta**beta_power * (g * g * r * r) / a
        )

    return f


def _lemma_b4(c, p, n):
    zs, beta = c["zeta_star"], _pos(p["beta"], "beta", "lemma-b.4")
    return (2.0 * c["sigma2"] + 16.0 * zs * zs * beta * beta) / math.sqrt(n)


def _eps_49(c, p, n, *, safe: bool) -> float:
    r = _pos(p["rho"], "rho", "thm-4.9")
    zeta = c["zeta"]
    if safe:
        return _mean_over_k(
            lambda E: 2.0 * r * zeta * np.sqrt(E) + 0.5 * zeta * E,
            c,
            p,
            n,
            _ggnc_stationary,
            "thm-4.9-corrected",
        )
    B = _lemma_b2(c, p, n)
    return 1.75 * r * zeta * math.sqrt(B) + 0.25 * zeta * B


def _thm_4_9(scale: float, safe: bool):
    def f(c, p, n):
        g, r = _gr(p, "thm-4.9")
        D = _delta(c, "thm-4.9")
        eps = _eps_49(c, p, n, safe=safe)
        return scale * (
            2.0 * math.sqrt(D / (g * n)) + 4.0 * D / (g * r * n) + 2.0 * math.sqrt(eps) + 4.0 * eps / r
        )

    return f


def _prescribe_4_9(c, n):
    L0 = _pos(c["L0"], "L0", "thm-4.9")
    L1 = _pos(c["L1"], "L1", "thm-4.9")
    return {"alpha": n**-0.5, "gamma": 1.0 / (math.sqrt(n) * L0), "rho": L0 / (2.0 * n**0.25 * L1)}


def _m_constants(c, p) -> tuple[float, float, float]:
    beta = _pos(p["beta"], "beta", "thm-4.11")
    D2 = _pos(c["D2"], "D2", "thm-4.11")
    return max(16.0 * beta * beta, 2.0), max(16.0 * D2 * beta * beta, 3.0 * D2), D2


def _eps_411(c, p, n, *, corrected: bool) -> float:
    r = _pos(p["rho"], "rho", "thm-4.11")
    _, Mp, D2 = _m_constants(c, p)
    if corrected:
        return _mean_over_k(
            lambda E: Mp * r * np.sqrt(E) + 4.0 * D2 * D2 * E, c, p, n, _s3cg_stationary, "thm-4.11-corrected"
        )
    lam2 = _lemma_b4(c, p, n)
    return Mp * r * math.sqrt(lam2) + 4.0 * D2 * D2 * lam2


def _thm_4_11_stated(c, p, n):
    g, r = _gr(p, "thm-4.11")
    D = _delta(c, "thm-4.11")
    eps = _eps_411(c, p, n, corrected=False)
    return 4.0 * math.sqrt(D / (g * n)) + 8.0 * D / (g * r * n) + 4.0 * math.sqrt(eps) + 8.0 * eps / r


def _thm_4_11_32(c, p, n):
    g, r = _gr(p, "thm-4.11-corrected")
    D = _delta(c, "thm-4.11-corrected")
    M, _, _ = _m_constants(c, p)
    eps = _eps_411(c, p, n, corrected=True)
    return math.sqrt(M * D / (g * n)) + math.sqrt(eps) + M * D / (g * r * n) + eps / r


def _prescribe_4_11(variant: int):
    def f(c, n):
        L = _pos(c["L"], "L", "thm-4.11")
        return {"alpha": n**-0.5, "gamma": 1.0 / (L * math.sqrt(n)), "rho": n**-0.25, "variant": variant}

    return f


def _trust_region(corrected: bool):
    def f(c, p, n):
        g, r = _gr(p, "trust-region-step")
        dn = _nonneg(p["d_dual"], "d_dual", "trust-region-step")
        return g * min(r, dn) if corrected else min(r, g * dn)

    return f


def _product_dual(corrected: bool):
    def f(c, p, n):
        radii = [float(r) for r in p["radii"]]
        duals = [float(d) for d in p["block_duals"]]
        if len(radii) != len(duals):
            raise ValueError(f"product-dual: {len(radii)} radii but {len(duals)} block dual norms")
        return sum((r if corrected else 1.0 / r) * d for r, d in zip(radii, duals))

    return f


# --------------------------------------------------------------------------------------------- registry
_L0L1 = frozenset({"l0l1_smooth"})
_LS = frozenset({"l_smooth"})
_STOCH = frozenset({"l0l1_smooth", "l_smooth", "stochastic_oracle"})
_STOCH_C = frozenset({"l0l1_smooth", "l_smooth", "stochastic_oracle", "bounded_domain"})

_T49_HYPS = (H_49_GAMMA, H_49_GR, H_ALPHA_SQRT_N, H_B2_GR)
_T411_HYPS = (H_411_GAMMA, H_411_RHO, H_ALPHA_SQRT_N, H_B4_GR)
_INIT_NOTE = (
    "Uses E‖λ^k‖₂² ≤ (1 − α/2)^{k−1}E‖λ¹‖₂² + stationary term (SPEC §8 erratum 5: d⁰ = 0 makes E‖λ¹‖² ≠ 0); "
    "needs constant lambda1_sq or grad1_l2."
)


def _t(**kw) -> Theorem:
    return Theorem(**kw)


_ENTRIES: list[Theorem] = [
    _t(
        id="prop-4.1",
        reference="Proposition 4.1 (Section 4)",
        statement="uCG, f L-smooth, any γ, ρ > 0: "
        "min_k ‖∇f(x^k)‖_* ≤ (1/n)Σ_k ‖∇f(x^k)‖_* ≤ Δ/(γρn) + Lγρ/2.",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ucg",
        assumptions=_LS,
        hypotheses=(H_DETERMINISTIC,),
        bound_fn=_prop_4_1,
        prescribe_fn=lambda c, n: {
            "gamma": math.sqrt(2.0 * _delta(c, "prop-4.1") / (_pos(c["L"], "L", "prop-4.1") * n)),
            "rho": 1.0,
            "alpha": 1.0,
        },
        note="prescribe() is the [derived] choice γρ = √(2Δ/(Ln)) (with ρ = 1), giving √(2LΔ/n); "
        "not in the paper.",
    ),
    _t(
        id="thm-4.3",
        reference="Theorem 4.3",
        statement="Deterministic GGNC under Assumption 4.2 with γ ≤ 1/(L0 + ρL1), any ρ > 0: "
        "min_k ‖∇f(x^k)‖_* ≤ √(Δ/(γn)) + 2Δ/(γρn) (the proof also bounds the average).",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_L0L1,
        hypotheses=(H_GGNC, H_DETERMINISTIC),
        bound_fn=_thm_4_3(1.0),
        variant="as_printed",
        counterpart="thm-4.3-corrected",
        note="As printed. Not in SPEC §8, derived here: summing the per-step descent gives only "
        "Σ_k min{‖∇f‖_*², ρ‖∇f‖_*} ≤ 2Δ/γ, hence √(2Δ/(γn)). The printed first term is violated with "
        "L1 = 0, γ = 1/L0 and ρ large: at n = 1 on f = (L0/2)x², on a Huber function for every n, and on a "
        "1-D L0-smooth function whose GD iterates x¹…x^{n+1} all have |f′| = m while "
        "Δ = (3n/4 + 1/2)m²/L0 (every n ≥ 3, even counting x^{n+1}).",
    ),
    _t(
        id="thm-4.3-corrected",
        reference="Theorem 4.3 (first term corrected; derived, not in SPEC §8)",
        statement="Deterministic GGNC under Assumption 4.2 with γ ≤ 1/(L0 + ρL1): "
        "min_k ‖∇f(x^k)‖_* ≤ (1/n)Σ_k ‖∇f(x^k)‖_* ≤ √(2Δ/(γn)) + 2Δ/(γρn).",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_L0L1,
        hypotheses=(H_GGNC, H_DETERMINISTIC),
        bound_fn=_thm_4_3(2.0),
        variant="corrected",
        counterpart="thm-4.3",
        note="[derived] From f(x^{k+1}) ≤ f(x^k) − (γ/2)min{g_k², ρg_k}: the clipped steps give "
        "Σ_A g_k ≤ 2Δ/(γρ), the "
        "others Σ g_k² ≤ 2Δ/γ, and Cauchy–Schwarz gives √(2Δ/(γn)). Not an erratum listed in SPEC §8.",
    ),
    _t(
        id="thm-4.3-special",
        reference="Theorem 4.3, 'specifically' clause (also on the poster)",
        statement="With ρ = L0/L1 and γ = 1/L0: min_k ‖∇f(x^k)‖_* ≤ √(L0Δ/n) + 2L1Δ/n.",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_L0L1,
        hypotheses=(
            _hyp("rho = L0/L1", "Thm 4.3 special case", lambda c, p, n: _eq(p["rho"], _rho_special(c))),
            _hyp("gamma = 1/L0", "Thm 4.3 special case", lambda c, p, n: _eq(p["gamma"], _inv(c["L0"]))),
            H_GGNC,
            H_DETERMINISTIC,
        ),
        bound_fn=_thm_4_3_special,
        prescribe_fn=_prescribe_special(1.0),
        variant="as_printed",
        counterpart="thm-4.3-special-corrected",
        note="SPEC §8 erratum 1: with ρ = L0/L1, L0 + ρL1 = 2L0, so γ = 1/L0 violates "
        "γ ≤ 1/(L0 + ρL1); the descent factor 1 − γ(L0 + ρL1)/2 is exactly 0. "
        "check_hypotheses(prescribe(...)) reports the Thm 4.3 hypothesis.",
    ),
    _t(
        id="thm-4.3-special-corrected",
        reference="Theorem 4.3, 'specifically' clause with γ = 1/(2L0) (SPEC §8 erratum 1)",
        statement="With ρ = L0/L1 and γ = 1/(2L0) (meets γ ≤ 1/(L0 + ρL1) with equality): "
        "min_k ‖∇f(x^k)‖_* ≤ √(2L0Δ/n) + 4L1Δ/n.",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_L0L1,
        hypotheses=(
            _hyp("rho = L0/L1", "Thm 4.3 special case", lambda c, p, n: _eq(p["rho"], _rho_special(c))),
            _hyp(
                "gamma = 1/(2*L0)", "SPEC §8 erratum 1", lambda c, p, n: _eq(p["gamma"], _inv(2.0 * c["L0"]))
            ),
            H_GGNC,
            H_DETERMINISTIC,
        ),
        bound_fn=_thm_4_3_special_corrected,
        prescribe_fn=_prescribe_special(2.0),
        variant="corrected",
        counterpart="thm-4.3-special",
        note="SPEC §8 erratum 1 ([derived] consistent choice; the printed general formula at "
        "γ = 1/(2L0)). With the "
        "first-term correction of thm-4.3-corrected it would read 2√(L0Δ/n) + 4L1Δ/n.",
    ),
    _t(
        id="thm-4.5",
        reference="Theorem 4.5",
        statement="uCG under Assumption 4.2 with γρ < 1/(2L1): min_k ‖∇f(x^k)‖_* ≤ 2Δ/(γρn) + 2L0γρ.",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ucg",
        assumptions=_L0L1,
        hypotheses=(H_UCG_45, H_DETERMINISTIC),
        bound_fn=_thm_4_5,
        note="The proof sums (1 − L1γρ)‖∇f(x^k)‖_* ≤ (f(x^k) − f(x^{k+1}))/(γρ) + L0γρ, "
        "so it bounds the average. "
        "For fixed γρ the bound has the floor 2L0γρ (SPEC §3.4).",
    ),
    _t(
        id="poster-sd",
        reference="NeurIPS 2025 poster, SD theorem box (SPEC §3.5)",
        statement="Steepest descent, f L-smooth, γ = 1/L: min_k ‖∇f(x^k)‖_* ≤ √(2LΔ/n).",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="steepest_descent",
        assumptions=_LS,
        hypotheses=(H_SD_GAMMA, H_DETERMINISTIC),
        bound_fn=_poster_sd,
        prescribe_fn=lambda c, n: {"gamma": 1.0 / _pos(c["L"], "L", "poster-sd"), "alpha": 1.0},
        note="The poster prints h_k = ‖x − x^k‖² without the ½ (SPEC §8 erratum 14); the rate holds with ½. "
        "From Σ γ(1 − γL/2)‖∇f‖_*² ≤ Δ the bound also covers the average.",
    ),
    _t(
        id="thm-4.7",
        reference="Theorem 4.7",
        statement="Deterministic S3CG (both variants), f L-smooth, γ ≤ 1/L, ρ ≤ L: for all u ∈ βD, "
        "min_k ⟨∇f(x^k), x^k − u⟩ ≤ 2β√(Δ/(γn)) + 2Δ/(γρn).",
        quantity=MEASURES["avg_gap"],
        measure="avg_gap",
        kind="rate",
        algorithm="s3cg",
        assumptions=frozenset({"l_smooth", "bounded_domain"}),
        hypotheses=(H_S3CG_GAMMA, H_S3CG_RHO, H_DETERMINISTIC),
        bound_fn=_thm_4_7(2.0),
        variant="as_printed",
        counterpart="thm-4.7-corrected",
        note="As printed; SPEC §8 erratum 2: Case II of the proof drops a factor ½. "
        "The proof bounds the average "
        "Wolfe gap, which is what is measured (it dominates the statement's quantity).",
    ),
    _t(
        id="thm-4.7-corrected",
        reference="Theorem 4.7 with the Case II factor ½ restored (SPEC §8 erratum 2)",
        statement="Deterministic S3CG, γ ≤ 1/L, ρ ≤ L: (1/n)Σ_k gap(x^k) ≤ 2√2·β√(Δ/(γn)) + 2Δ/(γρn).",
        quantity=MEASURES["avg_gap"],
        measure="avg_gap",
        kind="rate",
        algorithm="s3cg",
        assumptions=frozenset({"l_smooth", "bounded_domain"}),
        hypotheses=(H_S3CG_GAMMA, H_S3CG_RHO, H_DETERMINISTIC),
        bound_fn=_thm_4_7(2.0 * math.sqrt(2.0)),
        variant="corrected",
        counterpart="thm-4.7",
        note="SPEC §8 erratum 2 ([derived]): f(x^{k+1}) ≤ f(x^k) − (γ/2)⟨g,v⟩²/‖v‖² in Case II.",
    ),
    _t(
        id="thm-4.9",
        reference="Theorem 4.9 (statement)",
        statement="Stochastic GGNC (Algorithm 1), γ ≤ 1/L0, γρ ≤ 1/(2L1): "
        "E‖∇f(x̄_n)‖_* ≤ 4√Δ/√(γn) + 8Δ/(γρn) "
        "+ 4√ε_n + 8ε_n/ρ, with ε_n = (7/4)ρζ√B + (1/4)ζB and B = 2(σ² + ζ_*²L²/L1²)/√n (Lemma B.2).",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_STOCH,
        hypotheses=_T49_HYPS,
        bound_fn=_thm_4_9(2.0, safe=False),
        prescribe_fn=_prescribe_4_9,
        variant="as_printed",
        counterpart="thm-4.9-corrected",
        note="As stated; ε_n uses the proof's constants 7/4, 1/4 (SPEC §3.7) and Lemma B.2 as printed. "
        "SPEC §8 "
        "erratum 3: the statement is 2× the proof's intermediate bound (thm-4.9-proof).",
    ),
    _t(
        id="thm-4.9-proof",
        reference="Theorem 4.9 (intermediate result of the proof)",
        statement="E‖∇f(x̄_n)‖_* ≤ 2√Δ/√(γn) + 4Δ/(γρn) + 2√ε_n + 4ε_n/ρ, "
        "ε_n = (7/4)ρζ√B + (1/4)ζB as printed.",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_STOCH,
        hypotheses=_T49_HYPS,
        bound_fn=_thm_4_9(1.0, safe=False),
        prescribe_fn=_prescribe_4_9,
        variant="as_printed",
        counterpart=None,
        note="As printed in the proof; exactly half the stated bound for the same ε_n "
        "(SPEC §8 erratum 3). The "
        "constants 7/4 and 1/4 are exact only at L1γρ = ½.",
    ),
    _t(
        id="thm-4.9-corrected",
        reference="Theorem 4.9 with safe ε_n and the initial error (SPEC §8 errata 3 and 5)",
        statement="E‖∇f(x̄_n)‖_* ≤ 2√Δ/√(γn) + 4Δ/(γρn) + 2√ε_n + 4ε_n/ρ "
        "with ε_n = (1/n)Σ_k [2ρζ√E_k + ½ζE_k], "
        "E_k = (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 8γ²ρ²ζ_*²L²/α² (Lemma B.1 unrolled with L-smoothness).",
        quantity=MEASURES["avg_grad"],
        measure="avg_grad",
        kind="rate",
        algorithm="ggnc",
        assumptions=_STOCH,
        hypotheses=(H_49_GAMMA, H_49_GR, H_ALPHA_RANGE),
        bound_fn=_thm_4_9(1.0, safe=True),
        prescribe_fn=_prescribe_4_9,
        variant="corrected",
        counterpart="thm-4.9",
        note="SPEC §8 erratum 3 (safe constants 2 and ½) and erratum 5. " + _INIT_NOTE + " At the prescribed "
        "parameters the stationary term equals Lemma B.2's B.",
    ),
    _t(
        id="thm-4.11",
        reference="Theorem 4.11 (statement)",
        statement="Stochastic S3CG Variant 1, γ ≤ 1/(L√n), ρ ≤ n^{−1/4}: for all u ∈ βD, "
        "E⟨∇f(x̄_n), x̄_n − u⟩ ≤ "
        "4√Δ/√(γn) + 8Δ/(γρn) + 4√ε_n + 8ε_n/ρ, ε_n = (1/n)Σ O(√(E‖λ^k‖²) + E‖λ^k‖²).",
        quantity=MEASURES["sup_u_avg_inner"],
        measure="sup_u_avg_inner",
        kind="rate",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(*_T411_HYPS, H_V1),
        bound_fn=_thm_4_11_stated,
        prescribe_fn=_prescribe_4_11(1),
        variant="as_printed",
        counterpart="thm-4.11-corrected",
        note="As stated, with the O(·) in ε_n instantiated by the proof's "
        "ε_n = M′ρΛ_n + 4D₂²Λ_n² (Lemma B.4 as "
        "printed). SPEC §8 erratum 4: the 4/8/4/8 form does not match the proof's β-dependent M, M′.",
    ),
    _t(
        id="thm-4.11-corrected",
        reference="Theorem 4.11, the proof's form (32) (SPEC §8 errata 4 and 5)",
        statement="E⟨∇f(x̄_n), x̄_n − u⟩ ≤ √(MΔ)/√(γn) + √ε_n + MΔ/(γρn) + ε_n/ρ, M = max{16β², 2}, "
        "M′ = max{16D₂β², 3D₂}, ε_n = (1/n)Σ_k [M′ρ√E_k + 4D₂²E_k], "
        "E_k = (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 16ζ_*²L²β²γ²ρ²/α².",
        quantity=MEASURES["sup_u_avg_inner"],
        measure="sup_u_avg_inner",
        kind="rate",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(*_T411_HYPS, H_V1),
        bound_fn=_thm_4_11_32,
        prescribe_fn=_prescribe_4_11(1),
        variant="corrected",
        counterpart="thm-4.11",
        note="SPEC §8 erratum 4 (use (32)) and erratum 5. " + _INIT_NOTE,
    ),
    _t(
        id="thm-b.5",
        reference="Theorem B.5 (statement)",
        statement="Stochastic S3CG Variant 2: same statement and parameters as Theorem 4.11 "
        "('for all u ∈ D').",
        quantity=MEASURES["sup_u_avg_inner"],
        measure="sup_u_avg_inner",
        kind="rate",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(*_T411_HYPS, H_V2),
        bound_fn=_thm_4_11_stated,
        prescribe_fn=_prescribe_4_11(2),
        variant="as_printed",
        counterpart="thm-b.5-corrected",
        note="As stated (4/8/4/8 form, ε_n from the proof). SPEC §8 erratum 10: 'u ∈ D' is read as u ∈ βD.",
    ),
    _t(
        id="thm-b.5-corrected",
        reference="Theorem B.5 in the form (32) of the Theorem 4.11 proof (SPEC §8 errata 4, 5, 10)",
        statement="As thm-4.11-corrected, for Variant 2 "
        "(the proof uses ‖v^k‖² ≤ 4β² and is otherwise identical).",
        quantity=MEASURES["sup_u_avg_inner"],
        measure="sup_u_avg_inner",
        kind="rate",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(*_T411_HYPS, H_V2),
        bound_fn=_thm_4_11_32,
        prescribe_fn=_prescribe_4_11(2),
        variant="corrected",
        counterpart="thm-b.5",
        note="SPEC §8 errata 4, 5, 10. " + _INIT_NOTE,
    ),
    _t(
        id="lemma-b.1",
        reference="Lemma B.1",
        statement="E‖λ^k‖₂² ≤ (1 − α_k/2)E‖λ^{k−1}‖₂² + α_k²σ² + (4γ²ζ_*²ρ²/α_k)(L0² + L1²‖∇f(x^k)‖_*²).",
        quantity="E‖λ^k‖₂² given prev_err = E‖λ^{k−1}‖₂² and grad_dual = ‖∇f(x^k)‖_* (params)",
        measure=None,
        kind="lemma",
        algorithm="ggnc",
        assumptions=frozenset({"l0l1_smooth", "stochastic_oracle"}),
        hypotheses=(H_ALPHA_RANGE,),
        bound_fn=_lemma_b1,
    ),
    _t(
        id="lemma-b.2",
        reference="Lemma B.2",
        statement="With α = 1/√n and γρ < 1/(2n^{3/4}L1), f L-smooth: "
        "E‖λ^k‖₂² ≤ B := 2(σ² + ζ_*²L²/L1²)/√n for all k.",
        quantity="E‖λ^k‖₂² (uniformly in k ≤ n)",
        measure=None,
        kind="lemma",
        algorithm="ggnc",
        assumptions=_STOCH,
        hypotheses=(H_ALPHA_SQRT_N, H_B2_GR),
        bound_fn=_lemma_b2,
        variant="as_printed",
        counterpart="lemma-b.2-corrected",
        note="SPEC §8 erratum 5: the unrolling takes E‖λ⁰‖² = 0, ignoring the initial error (d⁰ = 0).",
    ),
    _t(
        id="lemma-b.2-corrected",
        reference="Lemma B.2 with the initial error (SPEC §8 erratum 5)",
        statement="E‖λ^k‖₂² ≤ (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 8γ²ρ²ζ_*²L²/α² (any constant α ∈ (0,1]); "
        "at α = 1/√n, γρ = 1/(2n^{3/4}L1) the last two terms equal B.",
        quantity="E‖λ^k‖₂² at step k (param k, default 1: the largest)",
        measure=None,
        kind="lemma",
        algorithm="ggnc",
        assumptions=_STOCH,
        hypotheses=(H_ALPHA_RANGE,),
        bound_fn=_lemma_corrected(_ggnc_stationary, "lemma-b.2-corrected"),
        variant="corrected",
        counterpart="lemma-b.2",
        note="SPEC §8 erratum 5. " + _INIT_NOTE,
    ),
    _t(
        id="lemma-b.3",
        reference="Lemma B.3 (statement)",
        statement="E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + 8ζ_*²L²βγ²ρ²/α (printed 'L²β').",
        quantity="E‖λ^k‖₂² given prev_err = E‖λ^{k−1}‖₂² (param)",
        measure=None,
        kind="lemma",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(H_ALPHA_RANGE,),
        bound_fn=_lemma_b3(1),
        variant="as_printed",
        counterpart="lemma-b.3-corrected",
        note="SPEC §8 erratum 6: the statement prints L²β; the proof has β².",
    ),
    _t(
        id="lemma-b.3-corrected",
        reference="Lemma B.3 as in its proof (SPEC §8 erratum 6)",
        statement="E‖λ^k‖₂² ≤ (1 − α/2)E‖λ^{k−1}‖₂² + α²σ² + 8ζ_*²L²β²γ²ρ²/α.",
        quantity="E‖λ^k‖₂² given prev_err = E‖λ^{k−1}‖₂² (param)",
        measure=None,
        kind="lemma",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(H_ALPHA_RANGE,),
        bound_fn=_lemma_b3(2),
        variant="corrected",
        counterpart="lemma-b.3",
        note="SPEC §8 erratum 6.",
    ),
    _t(
        id="lemma-b.4",
        reference="Lemma B.4",
        statement="f L-smooth on βD, γρ < 1/(Ln^{3/4}), α = 1/√n: E‖λ^k‖₂² ≤ Λ_n² := (2σ² + 16ζ_*²β²)/√n.",
        quantity="E‖λ^k‖₂² (uniformly in k ≤ n)",
        measure=None,
        kind="lemma",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(H_ALPHA_SQRT_N, H_B4_GR),
        bound_fn=_lemma_b4,
        variant="as_printed",
        counterpart="lemma-b.4-corrected",
        note="SPEC §8 erratum 5: the initial error E‖λ¹‖² is ignored.",
    ),
    _t(
        id="lemma-b.4-corrected",
        reference="Lemma B.4 with the initial error (SPEC §8 erratum 5)",
        statement="E‖λ^k‖₂² ≤ (1 − α/2)^{k−1}E‖λ¹‖₂² + 2ασ² + 16ζ_*²L²β²γ²ρ²/α² (from corrected Lemma B.3); "
        "at α = 1/√n, γρ = 1/(Ln^{3/4}) the last two terms equal Λ_n².",
        quantity="E‖λ^k‖₂² at step k (param k, default 1: the largest)",
        measure=None,
        kind="lemma",
        algorithm="s3cg",
        assumptions=_STOCH_C,
        hypotheses=(H_ALPHA_RANGE,),
        bound_fn=_lemma_corrected(_s3cg_stationary, "lemma-b.4-corrected"),
        variant="corrected",
        counterpart="lemma-b.4",
        note="SPEC §8 erratum 5. " + _INIT_NOTE,
    ),
    _t(
        id="trust-region-step",
        reference="Section 3, trust-region form of GGNC (as printed: radius ρ)",
        statement="x^{k+1} ∈ argmin_{‖x − x^k‖ ≤ ρ} γ⟨d^k, x − x^k⟩ + ½‖x − x^k‖², "
        "i.e. ‖x^{k+1} − x^k‖ = min{ρ, γ‖d^k‖_*}.",
        quantity="‖x^{k+1} − x^k‖ given d_dual = ‖d^k‖_* (param)",
        measure=None,
        kind="identity",
        algorithm="ggnc",
        assumptions=frozenset(),
        hypotheses=(),
        bound_fn=_trust_region(False),
        tight=True,
        variant="as_printed",
        counterpart="trust-region-step-corrected",
        note="SPEC §8 erratum 8: the identity with the GGNC step holds only with trust radius γρ.",
    ),
    _t(
        id="trust-region-step-corrected",
        reference="Section 3 / Algorithm 1 step length (SPEC §2.2, §8 erratum 8)",
        statement="GGNC: ‖x^{k+1} − x^k‖ = γ·min{ρ, ‖d^k‖_*} ≤ γρ (trust radius γρ).",
        quantity="‖x^{k+1} − x^k‖ given d_dual = ‖d^k‖_* (param)",
        measure=None,
        kind="identity",
        algorithm="ggnc",
        assumptions=frozenset(),
        hypotheses=(),
        bound_fn=_trust_region(True),
        tight=True,
        variant="corrected",
        counterpart="trust-region-step",
        note="SPEC §8 erratum 8.",
    ),
    _t(
        id="product-dual",
        reference="Section 3.1, product max-norm dual (text)",
        statement="‖x‖_* = Σ_l (1/r_l)‖W_l‖_{W_l,*} for ‖x‖ = max_l ‖W_l‖_{W_l}/r_l.",
        quantity="dual norm of the product max-norm given radii and block_duals (params)",
        measure=None,
        kind="identity",
        algorithm=None,
        assumptions=frozenset(),
        hypotheses=(),
        bound_fn=_product_dual(False),
        tight=True,
        variant="as_printed",
        counterpart="product-dual-corrected",
        note="SPEC §8 erratum 7: typo; Table 1 and the ClippedScion code use r_l.",
    ),
    _t(
        id="product-dual-corrected",
        reference="Table 1 / Section 3.1, product max-norm dual (SPEC §8 erratum 7)",
        statement="‖x‖_* = Σ_l r_l‖W_l‖_{W_l,*} (follows from the block-local lmo r_l·lmo_l).",
        quantity="dual norm of the product max-norm given radii and block_duals (params)",
        measure=None,
        kind="identity",
        algorithm=None,
        assumptions=frozenset(),
        hypotheses=(),
        bound_fn=_product_dual(True),
        tight=True,
        variant="corrected",
        counterpart="product-dual",
        note="SPEC §8 erratum 7.",
    ),
]

THEOREMS: dict[str, Theorem] = {t.id: t for t in _ENTRIES}


def available() -> list[str]:
    """Registered theorem ids, sorted."""
    return sorted(THEOREMS)


def get(id: str) -> Theorem:
    """The registered :class:`Theorem` with this id (``ValueError`` listing the ids otherwise)."""
    try:
        return THEOREMS[id]
    except (KeyError, TypeError):
        raise ValueError(f"id: unknown theorem {id!r}; available: {', '.join(available())}") from None


# ------------------------------------------------------------------------------------ per-step inequalities
def ggnc_descent(grad_dual: Any, gamma: float, rho: float) -> np.ndarray:
    r"""GGNC descent (Thm 4.3 proof): f(x^{k+1}) ≤ f(x^k) − δ_k, δ_k = (γ/2)·min{‖∇f(x^k)‖_*², ρ‖∇f(x^k)‖_*}.

    Valid for deterministic GGNC under Assumption 4.2 when γ ≤ 1/(L0 + ρL1). Returns δ_k (elementwise).
    """
    g = np.asarray(grad_dual, dtype=np.float64)
    return 0.5 * gamma * np.minimum(g * g, rho * g)


def sd_descent(grad_dual: Any, gamma: float, L: float) -> np.ndarray:
    r"""SD under L-smoothness: δ_k = γ(1 − γL/2)‖∇f(x^k)‖_*² (a descent method iff γ < 2/L; SPEC §1.3)."""
    g = np.asarray(grad_dual, dtype=np.float64)
    return gamma * (1.0 - 0.5 * gamma * L) * g * g


def ucg_descent(grad_dual: Any, gamma: float, rho: float, L: float) -> np.ndarray:
    r"""uCG under L-smoothness (Prop 4.1 proof): δ_k = γρ‖∇f(x^k)‖_* − Lγ²ρ²/2 (may be negative)."""
    g = np.asarray(grad_dual, dtype=np.float64)
    return gamma * rho * g - 0.5 * L * (gamma * rho) ** 2


def ucg_descent_loose(grad_dual: Any, gamma: float, rho: float, L0: float, L1: float) -> np.ndarray:
    r"""uCG under Assumption 4.2, the loose form of the Thm 4.5 proof (no ½):
    f(x^{k+1}) ≤ f(x^k) + L0γ²ρ² + (L1γρ − 1)γρ‖∇f(x^k)‖_*, i.e. δ_k = (1 − L1γρ)γρ‖∇f‖_* − L0γ²ρ².

    Valid when the step length γρ ≤ 1/L1.
    """
    g = np.asarray(grad_dual, dtype=np.float64)
    p = gamma * rho
    return (1.0 - L1 * p) * p * g - L0 * p * p


def s3cg_descent(
    gap: Any, eta: Any, gamma: float, rho: float, clipped: Any, *, variant: str = "corrected"
) -> np.ndarray:
    r"""Deterministic S3CG (Thm 4.7 proof, both algorithm variants), with gap_k = ⟨∇f(x^k), v^k⟩.

    * Case I (clipped, η_k = ρ): δ_k = (γρ/2)·gap_k.
    * Case II: ``"corrected"`` δ_k = (γ/2)·η_k·gap_k (= (γ/2)gap²/‖v‖² for Variant 1; SPEC §8 erratum 2);
      ``"as_printed"`` δ_k = γ·η_k·gap_k (= γ gap²/‖v‖², the printed inequality without the ½).

    Valid when γ ≤ 1/L (and γρ ≤ 1 for feasibility).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    gap = np.asarray(gap, dtype=np.float64)
    eta = np.asarray(eta, dtype=np.float64)
    clipped = np.asarray(clipped, dtype=bool)
    case2 = (0.5 if variant == "corrected" else 1.0) * gamma * eta * gap
    return np.where(clipped, 0.5 * gamma * rho * gap, case2)


def l0l1_descent(inner: Any, grad_dual: Any, dist: Any, L0: float, L1: float) -> np.ndarray:
    r"""(L0,L1) descent inequality (SPEC §1.3), for ‖y − x‖ ≤ 1/L1:
    f(y) ≤ f(x) + ⟨∇f(x), y − x⟩ + ((L0 + L1‖∇f(x)‖_*)/2)‖y − x‖²,
    i.e. δ = −⟨∇f(x), y − x⟩ − ((L0 + L1‖∇f‖_*)/2)‖y − x‖².
    """
    inner = np.asarray(inner, dtype=np.float64)
    g = np.asarray(grad_dual, dtype=np.float64)
    r = np.asarray(dist, dtype=np.float64)
    return -inner - 0.5 * (L0 + L1 * g) * r * r


def l_smooth_descent(inner: Any, dist: Any, L: float) -> np.ndarray:
    r"""L-smooth descent lemma: f(y) ≤ f(x) + ⟨∇f(x), y − x⟩ + (L/2)‖y − x‖²,
    as δ = −⟨∇f(x), y − x⟩ − (L/2)‖y − x‖².
    """
    inner = np.asarray(inner, dtype=np.float64)
    r = np.asarray(dist, dtype=np.float64)
    return -inner - 0.5 * L * r * r


@dataclass(frozen=True)
class DescentRule:
    """A per-step inequality f(x^{k+1}) ≤ f(x^k) − δ_k as data (used by ``verify.checkers.check_descent``).

    Attributes:
        id: rule id (``"ggnc"``, ``"sd"``, ``"ucg"``, ``"ucg-l0l1-loose"``, ``"s3cg"``, ``"s3cg-as-printed"``,
            ``"l0l1"``, ``"l-smooth"``).
        reference, statement: where and what.
        algorithms: algorithm names it applies to (empty: any algorithm; needs iterates and gradients).
        hypotheses: parameter hypotheses, as for :class:`Theorem`.
        variant, note, counterpart: as for :class:`Theorem`.
    """

    id: str
    reference: str
    statement: str
    algorithms: tuple[str, ...]
    hypotheses: tuple[Hypothesis, ...]
    variant: str = "as_printed"
    note: str = ""
    counterpart: str | None = None

    def check_hypotheses(self, constants: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
        """Descriptions of the failing hypotheses (``ValueError`` if an input is missing)."""
        return _failed(self.id, self.hypotheses, constants, params, None)


_S3CG_HYPS = (
    _hyp("gamma <= 1/L", "Thm 4.7 proof", lambda c, p, n: _le(p["gamma"], _inv(c["L"]))),
    _hyp("gamma*rho <= 1", "Thm 4.7 (feasibility)", lambda c, p, n: _le(p["gamma"] * p["rho"], 1.0)),
    H_DETERMINISTIC,
)
_L_NEEDED = _hyp("L > 0 given", "L-smoothness", lambda c, p, n: c["L"] > 0)

DESCENT_RULES: dict[str, DescentRule] = {
    r.id: r
    for r in (
        DescentRule(
            "ggnc",
            "Theorem 4.3, proof; SPEC §7",
            "f(x^{k+1}) ≤ f(x^k) − (γ/2)·min{‖∇f(x^k)‖_*², ρ‖∇f(x^k)‖_*}",
            ("ggnc",),
            (H_GGNC, H_DETERMINISTIC),
            note="Both regimes: clipped (‖∇f‖_* > ρ) decrease ≥ γρ‖∇f‖_*/2, else ≥ γ‖∇f‖_*²/2.",
        ),
        DescentRule(
            "sd",
            "Section 4 (SPEC §1.3)",
            "f(x^{k+1}) ≤ f(x^k) − γ(1 − γL/2)‖∇f(x^k)‖_*²",
            ("steepest_descent",),
            (_L_NEEDED, H_DETERMINISTIC),
        ),
        DescentRule(
            "ucg",
            "Proposition 4.1 proof (SPEC §1.3)",
            "f(x^{k+1}) ≤ f(x^k) − γρ‖∇f(x^k)‖_* + Lγ²ρ²/2",
            ("ucg",),
            (_L_NEEDED, H_DETERMINISTIC),
        ),
        DescentRule(
            "ucg-l0l1-loose",
            "Theorem 4.5 proof",
            "f(x^{k+1}) ≤ f(x^k) + L0γ²ρ² + (L1γρ − 1)γρ‖∇f(x^k)‖_*",
            ("ucg",),
            (
                _hyp(
                    "gamma*rho <= 1/L1",
                    "Assumption 4.2 radius (step length γρ)",
                    lambda c, p, n: _le(p["gamma"] * p["rho"], _inv(c["L1"])),
                ),
                H_DETERMINISTIC,
            ),
        ),
        DescentRule(
            "s3cg",
            "Theorem 4.7 proof, Case II with ½ restored (SPEC §8 erratum 2)",
            "Case I: f(x^{k+1}) ≤ f(x^k) − (γρ/2)⟨∇f,v⟩; Case II: f(x^{k+1}) ≤ f(x^k) − (γ/2)η_k⟨∇f,v⟩",
            ("s3cg",),
            _S3CG_HYPS,
            variant="corrected",
            counterpart="s3cg-as-printed",
            note="SPEC §8 erratum 2.",
        ),
        DescentRule(
            "s3cg-as-printed",
            "Theorem 4.7 proof as printed",
            "Case I: f(x^{k+1}) ≤ f(x^k) − (γρ/2)⟨∇f,v⟩; Case II: f(x^{k+1}) ≤ f(x^k) − γ⟨∇f,v⟩²/‖v‖²",
            ("s3cg",),
            _S3CG_HYPS,
            variant="as_printed",
            counterpart="s3cg",
            note="SPEC §8 erratum 2: Case II drops a factor ½.",
        ),
        DescentRule(
            "l0l1",
            "Assumption 4.2, descent inequality (SPEC §1.3)",
            "f(x^{k+1}) ≤ f(x^k) + ⟨∇f(x^k), x^{k+1} − x^k⟩ + ((L0 + L1‖∇f(x^k)‖_*)/2)‖x^{k+1} − x^k‖² "
            "for ‖x^{k+1} − x^k‖ ≤ 1/L1",
            (),
            (_hyp("L0 >= 0 and L1 >= 0", "Assumption 4.2", lambda c, p, n: c["L0"] >= 0 and c["L1"] >= 0),),
            note="Steps longer than 1/L1 are outside the hypothesis and skipped (counted in the details).",
        ),
        DescentRule(
            "l-smooth",
            "Definition A.1, descent lemma (SPEC §1.3)",
            "f(x^{k+1}) ≤ f(x^k) + ⟨∇f(x^k), x^{k+1} − x^k⟩ + (L/2)‖x^{k+1} − x^k‖²",
            (),
            (_L_NEEDED,),
        ),
    )
}


def get_rule(id: str) -> DescentRule:
    """The registered :class:`DescentRule` with this id."""
    try:
        return DESCENT_RULES[id]
    except (KeyError, TypeError):
        raise ValueError(
            f"rule: unknown descent rule {id!r}; available: {', '.join(sorted(DESCENT_RULES))}"
        ) from None


# --------------------------------------------------------------------------------------------- norm constants
def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise ValueError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"shape must be non-empty with positive sizes, got {shape!r}")
    return shape


def norm_constants(norm: Any, shape: Any, beta: float = 1.0) -> dict[str, float]:
    r"""Norm-equivalence constants of SPEC §1.2 for a geometry on arrays of ``shape``.

    Returns ``{"zeta", "zeta_star", "D2"}`` with ζ = max ‖x‖_*/‖x‖₂ (‖·‖_* the dual norm),
    ζ_* = max ‖x‖₂/‖x‖_* and D₂ = max_{x,y∈βD} ‖x − y‖₂ (the Euclidean diameter of the radius-β ball).
    Examples: ℓ2 (1, 1, 2β); ℓ∞ on ℝ^d (√d, 1, 2β√d); spectral on m×n (√min(m,n), 1, 2β√min(m,n)).

    Args:
        norm: a :class:`~ggnc_theory.norms.Norm` or its registry name. Supported: L2, Frobenius, L1, Linf, Lp,
            Spectral (incl. ``rms``), Nuclear, Sign.
        shape: the array shape (an int d means ℝ^d); matrices for Spectral/Nuclear/Frobenius.
        beta: the radius β of βD (for D₂).

    Raises:
        ValueError: for an unsupported geometry (named in the message) or an invalid shape/beta.
    """
    if isinstance(norm, str):
        norm = _norms.get(norm)
    if not isinstance(norm, _norms.Norm):
        raise ValueError(
            f"norm must be a ggnc_theory.norms.Norm or a registry name, got {type(norm).__name__}"
        )
    shape = _shape(shape)
    beta = _pos(beta, "beta", "norm_constants")
    d = math.prod(shape)
    name = type(norm).__name__
    c = 1.0  # ‖x‖ = c·‖x‖_base: ζ = ζ_base/c, ζ_* = c·ζ*_base, D₂ = D₂_base/c

    def need_matrix():
        if len(shape) != 2:
            raise ValueError(f"norm_constants: {name} needs a matrix shape (m, n), got {shape}")
        return min(shape)

    if type(norm) in (_norms.L2,):
        z, zs, r = 1.0, 1.0, 1.0
    elif type(norm) is _norms.Frobenius:
        need_matrix()
        z, zs, r = 1.0, 1.0, 1.0
    elif type(norm) is _norms.Linf:
        z, zs, r = math.sqrt(d), 1.0, math.sqrt(d)
    elif type(norm) is _norms.Sign:
        z, zs, r = math.sqrt(d), 1.0, math.sqrt(d)
        c = float(shape[-1]) if norm.normalized else 1.0
    elif type(norm) is _norms.L1:
        z, zs, r = 1.0, math.sqrt(d), 1.0
    elif type(norm) is _norms.Lp:
        p, q = norm.p, norm.q
        # ‖x‖_q ≤ d^{max(0, 1/q − 1/2)}‖x‖₂ and ‖x‖₂ ≤ d^{max(0, 1/2 − 1/q)}‖x‖_q;
        # the radius of the unit ℓp ball in ℓ2 is d^{max(0, 1/2 − 1/p)}.
        z = d ** max(0.0, 1.0 / q - 0.5)
        zs = d ** max(0.0, 0.5 - 1.0 / q)
        r = d ** max(0.0, 0.5 - 1.0 / p)
    elif type(norm) is _norms.Spectral:
        k = need_matrix()
        z, zs, r = math.sqrt(k), 1.0, math.sqrt(k)
        c = math.sqrt(shape[1] / shape[0]) if norm.rms else 1.0
    elif type(norm) is _norms.Nuclear:
        k = need_matrix()
        z, zs, r = 1.0, math.sqrt(k), 1.0
    else:
        raise ValueError(
            f"norm_constants: no closed form for {name} ({norm!r}); supported: L2, Frobenius, L1, Linf, Lp, "
            "Spectral, Nuclear, Sign"
        )
    return {"zeta": z / c, "zeta_star": zs * c, "D2": 2.0 * beta * r / c}
