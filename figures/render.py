r"""Matplotlib renderers of :mod:`figures.data` (Agg back end; matplotlib is imported only here, lazily).

:func:`render` draws one :class:`~figures.data.FigureData` and writes it atomically (temporary file in the
target directory, then ``os.replace``), with the caption and seeds in the file's metadata (PNG text chunks,
PDF Subject, SVG Description) and in a sidecar ``<name>.json``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from ggnc_theory._io import atomic_write

from .data import FigureData

__all__ = ["OKABE_ITO", "METHOD_COLOURS", "render", "FORMATS"]

FORMATS = ("png", "pdf", "svg")

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]
METHOD_COLOURS = {"GGNC": OKABE_ITO["blue"], "uCG": OKABE_ITO["vermillion"], "SD": OKABE_ITO["green"]}
_BOUND_STYLES = {
    "thm-4.3": (0, (6, 2)),
    "thm-4.3-corrected": (0, (1, 1.5)),
    "thm-4.5": (0, (6, 2)),
    "prop-4.1": (0, (3, 1, 1, 1)),
    "poster-sd": (0, (6, 2)),
}


def software() -> str:
    import matplotlib

    from ggnc_theory import __version__

    return f"ggnc-theory {__version__} (matplotlib {matplotlib.__version__})"


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _style(plt, small: bool) -> None:
    plt.rcParams.update({
        "font.size": 9,
        "axes.titlesize": 9.5,
        "axes.labelsize": 9,
        "legend.fontsize": 7.5,
        "axes.prop_cycle": plt.cycler(color=CYCLE),
        "axes.grid": True,
        "grid.alpha": 0.25,
        "grid.linewidth": 0.5,
        "savefig.dpi": 24 if small else 150,
        "figure.dpi": 24 if small else 100,
        "mathtext.fontset": "dejavusans",
    })


# ------------------------------------------------------------------------------------------ figures
def _rates(plt, d: FigureData, small: bool):
    fig, axes = plt.subplots(2, 2, figsize=(11, 9.4), constrained_layout=True)
    handles = {}
    for ax, pnl in zip(axes.ravel(), d.panels):
        for s in pnl["series"]:
            (h,) = ax.loglog(s["n"], s["y"], "-", color=METHOD_COLOURS[s["method"]], lw=2.2, label=s["label"])
            handles.setdefault(s["label"], h)
        for b in pnl["bounds"]:
            (h,) = ax.loglog(b["n"], b["y"], linestyle=_BOUND_STYLES[b["id"]],
                             color=METHOD_COLOURS[b["method"]], lw=1.3, label=b["label"])
            handles.setdefault(b["label"], h)
        dropped = sum(pnl["dropped_nonpositive"].values())
        title = pnl["title"]
        if pnl["note"]:
            title += "\n" + pnl["note"]
        ax.set_title(title)
        ax.set_xlabel(pnl["xlabel"])
        ax.set_ylabel(pnl["ylabel"])
        if dropped:
            ax.text(0.02, 0.02, f"{dropped} non-positive values not drawn", transform=ax.transAxes,
                    fontsize=7)
    order = sorted(handles, key=lambda lab: (not lab.endswith("(measured)"), list(handles).index(lab)))
    fig.legend([handles[k] for k in order], order, loc="outside lower center", ncol=4, framealpha=0.9)
    fig.suptitle(r"Fig. 1  Measured $\min_{k\leq n}\|\nabla f(x^k)\|_*$ against the rate bounds "
                 r"(deterministic; bounds in the colour of the method they bound)")
    return fig


def _separation(plt, d: FigureData, small: bool):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    for ax, pnl in zip(axes, d.panels):
        for i, (a, b) in enumerate(pnl["clipped_spans"]):
            ax.axvspan(a, b, color=OKABE_ITO["yellow"], alpha=0.35, lw=0,
                       label="GGNC clipped: $\\|\\nabla f\\|_*>\\rho$" if i == 0 else None)
        styles = {"GGNC": "-", "uCG": "-", "SD": "--"}
        order = {"uCG": 0, "SD": 1, "GGNC": 2}
        for s in sorted(pnl["series"], key=lambda s: order[s["method"]]):
            lw = 2.6 if s["method"] == "uCG" else 1.4
            ax.semilogy(s["k"], s["y"], styles[s["method"]], color=METHOD_COLOURS[s["method"]], lw=lw,
                        marker="o" if len(s["k"]) <= 80 else None, ms=2.5, label=s["label"])
        hl_colours = [OKABE_ITO["black"], OKABE_ITO["purple"]]
        for h, col in zip(pnl["hlines"], hl_colours[-len(pnl["hlines"]):]):
            ax.axhline(h["y"], color=col, lw=1, linestyle=(0, (4, 2)), label=h["label"])
        prm = pnl["params"]
        ax.set_title(f"{pnl['title']}\nγ = {prm['gamma']:.4g}, ρ = {prm['rho']:.4g} "
                     f"(GGNC and uCG coincide while clipped)")
        ax.set_xlabel(pnl["xlabel"])
        ax.set_ylabel(pnl["ylabel"])
        ax.legend(loc="lower left", framealpha=0.9)
    fig.suptitle("Fig. 2  " + d.title)
    return fig


def _slack(plt, d: FigureData, small: bool):
    fig, axes = plt.subplots(1, len(d.panels), figsize=(13.5, 5.2), constrained_layout=True, sharey=False)
    for ax, pnl in zip(np.atleast_1d(axes), d.panels):
        for s, col in zip(pnl["series"], CYCLE):
            ax.semilogy(s["k"], s["y"], "-", color=col, lw=1.0,
                        label=f"{s['label']}: clipped {100 * s['clipped_fraction']:.0f}% of steps,\n"
                        f"  min realised/guaranteed {s['min_ratio']:.2f}; dropped {s['n_negative']} neg., "
                        f"{s['n_zero']} zero")
            c = s["clipped"]
            if c.any():
                ax.semilogy(s["k"][c], s["y"][c], "o", color=col, ms=1.8)
        ax.set_title(pnl["title"])
        ax.set_xlabel(pnl["xlabel"])
        ax.set_ylabel("descent slack (must be ≥ 0)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), framealpha=0.9, fontsize=7)
    fig.suptitle("Fig. 3  GGNC per-step descent slack (Thm 4.3 per-step inequality), γ = 1/(L$_0$+ρL$_1$)\n"
                 r"slack $= f(x^k) - f(x^{k+1}) - \frac{\gamma}{2}\min\{\|\nabla f(x^k)\|_*^2,\ "
                 r"\rho\|\nabla f(x^k)\|_*\}$; dots mark clipped steps ($\|\nabla f(x^k)\|_* > \rho$)")
    return fig


def _stochastic(plt, d: FigureData, small: bool):
    pnl = d.panels[0]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.4), constrained_layout=True)
    n = pnl["n"]
    fit = pnl["fit"]
    nn = np.geomspace(n[0], n[-1], 50)
    for i, (ni, v) in enumerate(zip(n, pnl["samples"])):
        v = v[v > 0]
        jitter = ni * np.exp(np.linspace(-0.05, 0.05, v.size))
        ax.plot(jitter, v, ".", color=OKABE_ITO["sky"], ms=3, alpha=0.7,
                label="single seeds (jittered in n)" if i == 0 else None)
    low = pnl["band_low"]
    ok = low > 0
    for a in (ax, bx):
        a.fill_between(n[ok], low[ok], pnl["band_high"][ok], color=OKABE_ITO["blue"], alpha=0.25, lw=0,
                       label=f"95% CI of the mean (Student t; half-width ≤ {pnl['band_rel_halfwidth']:.1%} "
                       "of the mean)")
        a.loglog(n, pnl["mean"], "o-", color=OKABE_ITO["blue"], lw=1.8, ms=4, label="mean over seeds")
    ax.loglog(nn, np.exp(fit["intercept"]) * nn ** fit["slope"], "-", color=OKABE_ITO["black"], lw=1,
              label=f"OLS fit: slope {fit['slope']:.3f} (bootstrap 95% CI [{fit['ci_low']:.3f}, "
              f"{fit['ci_high']:.3f}])")
    ax.loglog(nn, pnl["mean"][0] * (nn / n[0]) ** pnl["reference_slope"], linestyle=(0, (4, 2)),
              color=OKABE_ITO["vermillion"], lw=1.2,
              label=r"slope $-1/4$ (Thm 4.9 rate), through the first mean")
    if not ok.all():
        ax.text(0.02, 0.02, f"band not drawn at {int((~ok).sum())} n (lower end ≤ 0)", transform=ax.transAxes)
    bx.loglog(n, pnl["bound_printed"], linestyle=(0, (6, 2)), color=OKABE_ITO["orange"], lw=1.4,
              label="Thm 4.9 bound as printed")
    bx.loglog(n, pnl["bound_corrected"], linestyle=(0, (1, 1.5)), color=OKABE_ITO["orange"], lw=1.8,
              label="Thm 4.9 bound corrected")
    for a in (ax, bx):
        a.set_xlabel(pnl["xlabel"])
        a.set_ylabel(pnl["ylabel"])
    ax.set_title(f"(a) measured: {pnl['title']}\n"
                 r"$\alpha=1/\sqrt{n}$, $\gamma=1/(\sqrt{n}L_0)$, $\rho=L_0/(2n^{1/4}L_1)$; "
                 r"$\bar x_n$ uniform over the iterates")
    bx.set_title("(b) the same means against the bounds of Thm 4.9")
    ax.legend(loc="lower left", framealpha=0.9)
    bx.legend(loc="center right", framealpha=0.9)
    fig.suptitle("Fig. 4  " + d.title)
    return fig


def _rho_sweep(plt, d: FigureData, small: bool):
    a, b = d.panels
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12.5, 4.8), constrained_layout=True,
                                 gridspec_kw={"width_ratios": [1.5, 1]})
    rho = a["series"][0]["rho"]
    x0, xinf = rho[0] / 8.0, rho[-1] * 8.0
    for s, col in zip(a["series"], [OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["green"]]):
        ok = s["y"] > 0
        ax.loglog(s["rho"][ok], s["y"][ok], "o-", color=col, ms=3, lw=1.4, label=s["label"])
        if s["rho0"] > 0:
            ax.loglog([x0], [s["rho0"]], "s", color=col, ms=6)
            ax.plot([x0, s["rho"][0]], [s["rho0"], s["y"][0]], ":", color=col, lw=0.8)
    ax.loglog([xinf], [a["sd"]["y"]], "D", color=OKABE_ITO["black"], ms=6, label=a["sd"]["label"])
    ax.loglog([xinf], [a["sd_best"]["y"]], "D", mfc="none", color=OKABE_ITO["black"], ms=7,
              label=a["sd_best"]["label"])
    ax.axvline(a["grad1"], color=OKABE_ITO["purple"], lw=0.8, linestyle=(0, (4, 2)),
               label=r"$\rho = \|\nabla f(x^1)\|_*$")
    for xv in (np.sqrt(x0 * rho[0]), np.sqrt(rho[-1] * xinf)):
        ax.axvline(xv, color="0.6", lw=0.6)
    ticks = [x0] + [t for t in 10.0 ** np.arange(-3, 3) if rho[0] <= t <= rho[-1]] + [xinf]
    ax.set_xticks(ticks)
    ax.set_xticklabels(["0\n(uCG)"] + [f"{t:g}" for t in ticks[1:-1]] + ["∞\n(SD)"])
    ax.minorticks_off()
    ax.set_xlim(x0 / 1.8, xinf * 1.8)
    ax.set_xlabel(a["xlabel"])
    ax.set_ylabel(a["ylabel"])
    ax.set_title(a["title"] + "\nfinite ρ: γ = lr/ρ (lr = γρ fixed); squares: ρ = 0 (uCG, step lr); "
                 "diamonds: ρ = ∞ (SD)")
    ax.legend(loc="lower left", framealpha=0.9)

    x = np.arange(len(b["labels"]))
    bx.plot(x, b["y"], "o-", color=OKABE_ITO["vermillion"], lw=1.4)
    for xi, yi in zip(x, b["y"]):
        bx.annotate(f"{yi:.3f}", (xi, yi), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    bx.set_xticks(x)
    bx.set_xticklabels([lab.replace(" (", "\n(") for lab in b["labels"]])
    bx.set_ylim(b["y"].min() - 0.004, b["y"].max() + 0.006)
    bx.set_xlabel(b["xlabel"] + " (not to scale)")
    bx.set_ylabel(b["ylabel"])
    bx.set_title(b["title"] + "\n(quoted from the rebuttal, SPEC §4.3; not run here)")
    fig.suptitle("Fig. 5  " + d.title)
    return fig


def _newton_schulz(plt, d: FigureData, small: bool):
    a, b = d.panels
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12.5, 5.8), constrained_layout=True)
    cols = dict(zip(b["tables"], CYCLE))
    for s in a["series"]:
        ax.semilogx(a["s"], s["y"], "-", color=cols[s["table"]], lw=1.5, label=s["label"])
    ax.axhline(1.0, color=OKABE_ITO["black"], lw=0.8, linestyle=(0, (4, 2)), label="exact UVᵀ: φ = 1")
    pretty_s = {"Gaussian": "Gaussian entries", "σ_i ∝ 1/i": r"$\sigma_i \propto 1/i$",
                "σ log-spaced in [1e-4, 1]": r"$\sigma_i$ log-spaced in $[10^{-4}, 1]$"}
    for j, (sp, (lo, hi)) in enumerate(a["s_ranges"].items()):
        y = -0.05 - 0.05 * j
        ax.plot([lo, hi], [y, y], "-", color=CYCLE[j], lw=4, solid_capstyle="butt", alpha=0.8,
                label=f"s-range of the (b) matrices: {pretty_s.get(sp, sp)}")
    ax.set_xlabel(a["xlabel"])
    ax.set_ylabel(a["ylabel"])
    ax.set_title(a["title"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), framealpha=0.9, ncol=2, fontsize=7)

    spectra, tables, dtypes = b["spectra"], b["tables"], b["dtypes"]
    pretty = {"Gaussian": "Gaussian entries", "σ_i ∝ 1/i": r"$\sigma_i \propto 1/i$",
              "σ log-spaced in [1e-4, 1]": r"$\sigma_i$ log-spaced in $[10^{-4}, 1]$"}
    markers = ["o", "s", "^"]
    width = 0.8 / len(spectra)
    for j, sp in enumerate(spectra):
        for dt in dtypes:
            y = [b["ratios"][dt][sp][t] for t in tables]
            xs = np.arange(len(tables)) - 0.4 + width * (j + 0.5)
            filled = dt == "float64"
            bx.plot(xs, y, markers[j], ms=6, color=CYCLE[j], mfc=CYCLE[j] if filled else "none", mew=1.3,
                    linestyle="none", label=f"{pretty.get(sp, sp)}, {dt}")
    bx.axhline(1.0, color=OKABE_ITO["black"], lw=0.8, linestyle=(0, (4, 2)), label="exact dual norm")
    bx.set_xticks(np.arange(len(tables)))
    bx.set_xticklabels(tables)
    bx.set_xlabel(b["xlabel"])
    bx.set_ylabel(b["ylabel"])
    bx.set_title(b["title"] + "\nfilled: float64, hollow: bfloat16")
    bx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), framealpha=0.9, ncol=2, fontsize=7)
    fig.suptitle("Fig. 7  " + d.title)
    return fig


def _estimation(plt, d: FigureData, small: bool):
    a, b, c = d.panels
    n = len(a["entries"])
    fig = plt.figure(figsize=(max(4.0 * n, 10.0), 13.5), constrained_layout=True)
    gs = fig.add_gridspec(3, n, height_ratios=[1.0, 1.0, 1.05])
    OI = OKABE_ITO
    gsym, lsym = r"$\|\nabla f(x)\|_*$", r"$\hat L$"
    for j, (e, t) in enumerate(zip(a["entries"], b["entries"])):
        ax = fig.add_subplot(gs[0, j])
        ax.loglog(e["g"], e["lhat"], ".", color=OI["sky"], ms=2.5, alpha=0.6,
                  label=f"{len(e['g'])} samples ({e['n_dropped']} non-positive not drawn)")
        env, lo, hi = e["envelope"], e["envelope"]["ci_low"], e["envelope"]["ci_high"]
        ax.loglog(e["g_line"], env["y"], "-", color=OI["blue"], lw=1.8,
                  label=f"LP envelope $L_0$={env['L0']:.3g} [{lo['L0']:.3g}, {hi['L0']:.3g}],\n"
                  f"  $L_1$={env['L1']:.3g} [{lo['L1']:.3g}, {hi['L1']:.3g}] (95% CI)")
        if e["certified"] is not None:
            cert = e["certified"]
            ax.loglog(e["g_line"], cert["y"], linestyle=(0, (5, 2)), color=OI["vermillion"], lw=1.6,
                      label=f"certified $L_0+L_1\\|\\nabla f\\|_*$: ({cert['L0']:.3g}, {cert['L1']:.3g})")
            cmp = e["compare"]
            at = cmp["L0_hat"] + cert["L1"] * e["g_line"]
            if np.all(at > 0):
                ax.loglog(e["g_line"], at, linestyle=(0, (1, 1.2)), color=OI["orange"], lw=1.8,
                          label=f"envelope at certified $L_1$: $\\min L_0$={cmp['L0_hat']:.3g} "
                          f"(reach {cmp['reach']:.2f})")
        ax.set_xlabel(gsym)
        ax.set_ylabel(lsym + r" $=\|\nabla f(y)-\nabla f(x)\|_*/\|y-x\|$" if j == 0 else lsym)
        ax.set_title(f"(a) {e['name']}\n{e['geometry'].split('(')[0]} geometry")
        ax.legend(loc="best", fontsize=6.5, framealpha=0.85)

        bx = fig.add_subplot(gs[1, j])
        if t["band_L1"].size:
            bx.fill_between(t["band_L1"], t["band_low"], t["band_high"], color=OI["blue"], alpha=0.2, lw=0,
                            label="bootstrap 95% band")
        bx.loglog(t["L1"], t["min_L0"], "-", color=OI["blue"], lw=1.8,
                  label="estimated $\\min L_0(L_1)$ (pairs with $\\|x-y\\|\\leq 1/L_1$)")
        bx.loglog([t["envelope_point"]["L1"]], [t["envelope_point"]["L0"]], "o", color=OI["blue"], ms=5,
                  label="LP envelope point")
        cc, cp = t["certified_curve"], t["certified_point"]
        if cc is not None:
            bx.loglog(cc["L1"], cc["L0"], linestyle=(0, (5, 2)), color=OI["vermillion"], lw=1.6,
                      label="certified curve (problem.tradeoff)")
        if cp is not None and cp["L1"] > 0:
            bx.loglog([cp["L1"]], [cp["L0"]], "D", color=OI["vermillion"], ms=6, label="certified point")
        elif cp is not None:
            bx.axhline(cp["L0"], color=OI["vermillion"], linestyle=(0, (5, 2)), lw=1.6,
                       label=f"certified point ({cp['L0']:.3g}, $L_1$=0) ⇒ $L_0$ works for all $L_1$")
        notes = []
        if t["L1_zero_from"] is not None:
            notes.append(f"estimate = 0 for $L_1\\geq${t['L1_zero_from']:.3g} (not drawn)")
        if t["n_band_dropped"]:
            notes.append(f"band's lower end 0 at {t['n_band_dropped']} $L_1$ (not drawn)")
        if notes:
            bx.text(0.02, 0.02, "\n".join(notes), transform=bx.transAxes, fontsize=6.5, va="bottom")
        bx.set_xlabel(r"$L_1$")
        bx.set_ylabel(r"$\min L_0(L_1)$")
        bx.set_title(f"(b) admissible trade-off curve\n{e['name']}")
        bx.margins(y=0.08)
        bx.legend(loc="best", fontsize=6.5, framealpha=0.85)

    sub = gs[2, :].subgridspec(1, 2)
    cx, gx = fig.add_subplot(sub[0, 0]), fig.add_subplot(sub[0, 1])
    sl = c["slope"]
    cx.loglog(c["g"], c["lhat"], ".", color=OI["purple"], ms=2.5, alpha=0.6,
              label=f"{len(c['g'])} samples ({c['n_dropped']} non-positive not drawn)")
    cx.loglog(c["g_line"], c["fit_y"], "-", color=OI["black"], lw=1.4,
              label=f"OLS log-log slope {sl['slope']:.3f} "
              f"(bootstrap 95% CI [{sl['low']:.3f}, {sl['high']:.3f}])")
    if c["g_line"].size:
        g0 = c["g_line"][0]
        cx.loglog(c["g_line"], c["fit_y"][0] * c["g_line"] / g0, linestyle=(0, (5, 2)),
                  color=OI["vermillion"], lw=1.3,
                  label="slope 1: the most any $L_0+L_1\\|\\nabla f\\|_*$ allows")
    verdict = "REJECTED: no $(L_0,L_1)$ model" if not c["supported"] else "not rejected"
    cx.set_title(f"(c) negative control {c['name']}: {verdict}\n"
                 + "\n".join(r.replace("L̂", "$\\hat L$") for r in c["reasons"]), fontsize=8)
    cx.set_xlabel(gsym)
    cx.set_ylabel(lsym)
    cx.legend(loc="upper left", fontsize=7, framealpha=0.9)
    for k, gr in enumerate(c["growth"]):
        ok = gr["rho_max"] > 0
        col = OI["purple"] if gr["control"] else CYCLE[k % len(CYCLE)]
        gx.semilogy(gr["decade"][ok] + 0.5, gr["rho_max"][ok], "o-" if gr["control"] else "s--", color=col,
                    lw=2.0 if gr["control"] else 1.0, ms=4,
                    label=f"{gr['name']} ({'control, rejected' if not gr['supported'] else 'supported'})"
                    if gr["control"] else f"{gr['name']} ({'supported' if gr['supported'] else 'rejected'})")
    gx.set_xlabel(r"$\log_{10}\|\nabla f(x)\|_*$ (decade bins)")
    gx.set_ylabel(r"$\max\ \hat L/\|\nabla f(x)\|_*$ per decade (required $L_1$)")
    gx.set_title("(c) growth rule: the $L_1$ the samples require, per decade of $\\|\\nabla f\\|_*$\n"
                 "(bounded for an $(L_0,L_1)$ function; grows for the control)", fontsize=8)
    gx.legend(loc="best", fontsize=7, framealpha=0.9)
    fig.suptitle("Fig. 6  " + d.title + "\n(" + str(d.meta.get("source", "")) + ")")
    return fig


_RENDERERS = {
    "rates": _rates,
    "separation": _separation,
    "slack": _slack,
    "stochastic": _stochastic,
    "rho-sweep": _rho_sweep,
    "estimation": _estimation,
    "estimation-checkpoint": _estimation,
    "newton-schulz": _newton_schulz,
}


# ------------------------------------------------------------------------------------------ output
def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def _atomic(target: Path, write) -> None:
    """Write via ``write(tmp)`` to a temporary file next to ``target``, then rename (never a partial file)."""
    atomic_write(target, write)


def render(data: FigureData, path: str | os.PathLike, fmt: str = "png", *, small: bool = False,
           sidecar: bool = True) -> list[Path]:
    """Draw ``data`` and write it to ``path`` (format ``fmt``).

    Returns the written paths (the image, then its sidecar JSON unless ``sidecar=False``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    target = Path(path)
    plt = _plt()
    with plt.rc_context():
        _style(plt, small)
        fig = _RENDERERS[data.name](plt, data, small)
        description = data.caption + " Seeds: " + str(data.meta.get("seeds", f"seed {data.meta.get('seed')}"
                                                                     " (no random draws)"
                                                                     if not data.meta.get("random_draws")
                                                                     else data.meta.get("seed")))
        if fmt == "png":
            meta = {"Title": data.title, "Description": description, "Software": software(),
                    "Seed": str(data.meta.get("seed"))}
        elif fmt == "pdf":
            meta = {"Title": data.title, "Subject": description, "Creator": software()}
        else:
            meta = {"Title": data.title, "Description": description, "Creator": software()}
        try:
            _atomic(target, lambda tmp: fig.savefig(tmp, format=fmt, metadata=meta))
        finally:
            plt.close(fig)
    written = [target]
    if sidecar:
        side = target.with_suffix(".json")
        doc = {"schema": "ggnc-theory/figure/1", "name": data.name, "title": data.title,
               "caption": data.caption, "file": target.name, "software": software(),
               "meta": _jsonable(data.meta)}
        text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"

        def _write(tmp):
            Path(tmp).write_text(text, encoding="utf-8")

        _atomic(side, _write)
        written.append(side)
    return written
