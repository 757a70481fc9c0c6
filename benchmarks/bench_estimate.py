"""Benchmark of checkpoint-mode estimation: time and memory per (‖∇f‖_*, L̂) sample vs one forward+backward.

What one *sample* costs. :func:`verify.checkpoint.estimate` produces its per-layer and global samples at each
base point x with ``verify.checkpoint._sample_at``, which calls :func:`verify.estimate.directional_samples`
once per block and once for the global product geometry: one gradient at x, then for each direction h
(±lmo(∇f(x)) and ``n_random`` random extreme directions) and each step fraction one gradient at the nearby
point y = x + r·h on the same batch, plus the norms ‖∇f(y) − ∇f(x)‖_* and ‖y − x‖ (and ‖h‖ once per
direction). With the defaults (3 fractions, 2 random directions) that is 12 nearby gradients + 1 lmo per block
(every parameter tensor is a block) and again for the global product geometry. Per-layer gradients are of the
moved block only (autograd skips the other weight gradients and the backward below that block); global ones
are full. Everything stays in torch float64 on the model's device (``torch.func.functional_call``).

The candidate ``sampling`` calls ``_sample_at`` itself for one base point (the checkpoint), with the objects
``estimate`` builds (``assign_geometry``, ``product_norm``, the ``_Adapter``) and its default arguments, and its
time is divided by the number of samples it produced (per layer + global). The baseline ``fwd_bwd`` is one
plain forward+backward of the same model in float64 on the same batch (``torch.autograd.grad`` of the
cross-entropy with respect to all parameters). They run interleaved in one process. The target is
sampling-time-per-sample / fwd_bwd ≤ 2.5, for the exact SVD and for Newton–Schulz. Not included: the bootstrap
fits and the GGNC secants of ``estimate`` (those are not (‖g‖_*, L̂) sampling).

Memory. Each measurement runs in a fresh subprocess (so ``ru_maxrss`` is not masked by an earlier peak):
``ru_maxrss`` after setup vs after the operation gives the peak RSS *increase* (torch CPU tensors, NumPy
arrays, allocator behaviour — everything the process touches), and a second pass under ``tracemalloc`` gives
the peak of Python-tracked allocations (Python objects and NumPy arrays; torch's CPU allocator is not tracked).

Usage::

    python benchmarks/bench_estimate.py            # full run (< 3 min), writes benchmarks/results/estimate.json
    python benchmarks/bench_estimate.py --quick    # smoke test (< 30 s), writes nothing unless --out is given
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import torch  # noqa: E402

from bench_core import (  # noqa: E402
    OTHER_CPU_LIMIT,
    _func_label,
    _git,
    cpu_busy,
    machine_info,
    ratio_record,
    summarize,
    time_interleaved,
    wait_until_idle,
)
from verify.checkpoint import _Adapter, _sample_at, assign_geometry, product_norm  # noqa: E402

TARGET = 2.5
MODES = {
    "full": {"repeats": 5, "warmup": 1, "max_retakes_per_repeat": 2, "retake_wait_s": 30.0,
             "models": ["demo", "mlp512"], "memory": True, "profile": True},
    "quick": {"repeats": 1, "warmup": 0, "max_retakes_per_repeat": 0, "retake_wait_s": 0.0,
              "models": ["demo", "mlp512"], "memory": False, "profile": False},
}
# the sampling arguments of verify.checkpoint.estimate's defaults
EST = {"radius": 0.05, "fractions": (1.0, 0.1, 0.01), "n_random": 2, "seed": 0}


# ============================================================================================ setups
def make_setup(name: str) -> dict[str, Any]:
    """Model (float32 as a user would have it) and one batch of 256."""
    if name == "demo":
        from verify._demo import digits, make_model

        X, y = digits()
        model = make_model(64, 64, 10, seed=0)
        desc = "demo MLP 64→64→64→10 (GELU), sklearn digits, batch 256"
    elif name == "mlp512":
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 512), torch.nn.GELU(), torch.nn.Linear(512, 512), torch.nn.GELU(),
            torch.nn.Linear(512, 10),
        )
        rng = np.random.default_rng(0)
        X = rng.standard_normal((256, 784)).astype(np.float32)
        y = rng.integers(0, 10, 256)
        desc = "MLP 784→512→512→10 (GELU), synthetic Gaussian batch 256"
    else:
        raise ValueError(name)
    return {"name": name, "model": model, "batch": (X[:256], y[:256]), "description": desc,
            "n_params": sum(p.numel() for p in model.parameters())}


def make_fwd_bwd(setup: dict) -> Any:
    """One forward+backward of the model in float64 on the batch (the baseline)."""
    m64 = _copy_double(setup["model"])
    xb = torch.as_tensor(setup["batch"][0], dtype=torch.float64)
    yb = torch.as_tensor(setup["batch"][1])
    params = [p for p in m64.parameters()]

    def fwd_bwd() -> Any:
        loss = torch.nn.functional.cross_entropy(m64(xb), yb)
        return torch.autograd.grad(loss, params)

    return fwd_bwd


def _copy_double(model: Any) -> Any:
    import copy

    m = copy.deepcopy(model).double()
    m.eval()
    return m


def make_sampling(setup: dict, method: str) -> tuple[Any, dict]:
    """One base point of ``estimate``'s sampling (``verify.checkpoint._sample_at``, per layer + global)."""
    model = setup["model"]
    model.eval()
    blocks = assign_geometry(model, "scion", method=method)
    P = product_norm(blocks)
    ad = _Adapter(model, blocks, None, torch.float64)
    batch = ad._batch(setup["batch"])
    x = ad.x0()
    info: dict[str, Any] = {"blocks": [f"{b.name}:{b.role}:{type(b.norm).__name__}" for b in blocks]}
    calls = {"full": 0, "block": 0}
    inner = ad.value_and_grad

    def counted(point: tuple, batch: tuple, wrt: int | None = None) -> tuple:
        calls["full" if wrt is None else "block"] += 1
        return inner(point, batch, wrt)

    ad.value_and_grad = counted  # instance attribute: counts the gradients _sample_at asks for

    def sampling() -> int:
        calls["full"] = calls["block"] = 0
        rng = np.random.default_rng(EST["seed"])
        _, per_layer, g = _sample_at(ad, blocks, P, x, batch, rng, **EST)
        n = sum(len(s) for s in per_layer.values()) + len(g)
        info.update({"samples_per_layer": {k: len(s) for k, s in per_layer.items()}, "samples_global": len(g),
                     "samples_total": n, "gradient_evaluations": calls["full"],
                     "block_gradient_evaluations": calls["block"]})
        return n

    return sampling, info


def make_adapter_grad(setup: dict) -> Any:
    """One full gradient as the estimator computes it (_Adapter.value_and_grad: functional_call on tensor points)."""
    model = setup["model"]
    blocks = assign_geometry(model, "scion")
    ad = _Adapter(model, blocks, None, torch.float64)
    batch = ad._batch(setup["batch"])
    x = ad.x0()
    return lambda: ad.value_and_grad(x, batch)


# ============================================================================================ timing
def bench_model(setup: dict, mode: dict, log) -> dict[str, Any]:
    fb = make_fwd_bwd(setup)
    ag = make_adapter_grad(setup)
    s_svd, info_svd = make_sampling(setup, "svd")
    s_ns, info_ns = make_sampling(setup, "newton_schulz")
    cands = {"fwd_bwd": fb, "adapter_grad": ag, "sampling_svd": s_svd, "sampling_ns": s_ns}
    r = mode["repeats"]
    samples, quality = time_interleaved(
        cands, {"fwd_bwd": r, "adapter_grad": r, "sampling_svd": r, "sampling_ns": r},
        {k: mode["warmup"] for k in cands}, log=log,
        max_retakes_per_repeat=mode["max_retakes_per_repeat"], retake_wait_s=mode["retake_wait_s"],
    )
    # the fwd_bwd and adapter_grad calls are short: time them in batches of calls inside their samples too
    meas = {k: summarize(v, quality[k]) for k, v in samples.items()}
    # per-call medians of the short candidates, from loops of many calls (interleaved with the long ones above)
    loops = max(3, int(0.2 / max(meas["fwd_bwd"]["median_s"], 1e-6)))

    def loop_fb() -> None:
        for _ in range(loops):
            fb()

    def loop_ag() -> None:
        for _ in range(loops):
            ag()

    ls, lq = time_interleaved({"fwd_bwd_loop": loop_fb, "adapter_grad_loop": loop_ag},
                              {"fwd_bwd_loop": r, "adapter_grad_loop": r}, {"fwd_bwd_loop": 1, "adapter_grad_loop": 1},
                              log=log, max_retakes_per_repeat=mode["max_retakes_per_repeat"],
                              retake_wait_s=mode["retake_wait_s"])
    for k in ls:
        meas[k] = summarize(ls[k], lq[k])
        meas[k]["calls_per_sample"] = loops
    fb_call = [t / loops for t in ls["fwd_bwd_loop"]]
    ag_call = [t / loops for t in ls["adapter_grad_loop"]]
    fb_med = float(np.median(fb_call))
    ratios = []
    per_method = {}
    for key, info, meth in (("sampling_svd", info_svd, "svd"), ("sampling_ns", info_ns, "newton_schulz")):
        n = info["samples_total"]
        per = [t / n for t in samples[key]]
        per_med = float(np.median(per))
        pair = [p / f for p, f in zip(per, fb_call)]
        per_method[meth] = {
            "samples_per_pass": n, "samples_per_layer": info["samples_per_layer"],
            "samples_global": info["samples_global"], "gradient_evaluations_per_pass": info["gradient_evaluations"],
            "time_per_sample_median_s": per_med,
            "block_gradient_evaluations_per_pass": info["block_gradient_evaluations"],
            "grad_evals_per_sample": info["gradient_evaluations"] / n,
        }
        ratios.append(ratio_record(
            f"{setup['name']}: time per sample ({meth}) / fwd+bwd", per_med / fb_med, TARGET, "<=",
            "median(sampling pass time / samples produced) / median(one float64 forward+backward, per call)", pair))
    adapter_ratio = float(np.median(ag_call)) / fb_med
    ratios.append(ratio_record(
        f"{setup['name']}: estimator gradient (_Adapter.value_and_grad) / fwd+bwd", adapter_ratio, None, None,
        "median per-call time of one full estimator gradient (functional_call on tensor points) / plain fwd+bwd",
        [a / f for a, f in zip(ag_call, fb_call)]))
    return {"model": setup["description"], "n_params": setup["n_params"], "blocks": info_svd["blocks"],
            "fwd_bwd_per_call_median_s": fb_med, "adapter_grad_per_call_median_s": float(np.median(ag_call)),
            "methods": per_method, "measurements": meas, "ratios": ratios}


# ============================================================================================ memory
def _probe(model_name: str, kind: str) -> dict[str, Any]:
    """Run in a fresh subprocess: peak RSS increase and tracemalloc peak of one operation."""
    setup = make_setup(model_name)
    if kind == "fwd_bwd":
        fn = make_fwd_bwd(setup)
    else:
        fn, _ = make_sampling(setup, {"sampling_svd": "svd", "sampling_ns": "newton_schulz"}[kind])
    fn()  # warm-up (lazy initialisation, allocator pools)
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reset = _reset_hwm()
    hwm0, cur0 = _vm("VmHWM"), _vm("VmRSS")
    fn()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm1 = _vm("VmHWM")
    gc.collect()
    tracemalloc.start()
    fn()
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"ru_maxrss_before_kib": rss0, "ru_maxrss_after_kib": rss1, "ru_maxrss_increase_kib": rss1 - rss0,
            "hwm_reset": reset, "vmrss_before_kib": cur0, "vmhwm_before_kib": hwm0, "vmhwm_after_kib": hwm1,
            "rss_peak_increase_kib": (hwm1 - cur0) if reset and hwm1 is not None else None,
            "tracemalloc_peak_bytes": peak}


def _vm(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for ln in fh:
                if ln.startswith(key + ":"):
                    return int(ln.split()[1])
    except OSError:
        pass
    return None


def _reset_hwm() -> bool:
    """Reset the peak-RSS counter VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="utf-8") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def bench_memory(models: list[str], log) -> dict[str, Any]:
    out: dict[str, Any] = {
        "note": "each cell is a fresh subprocess (same setup: imports, model, batch, estimator objects). "
        "rss_peak_increase = VmHWM after one call − VmRSS before it, with VmHWM reset to the current RSS just "
        "before the call (/proc/self/clear_refs): the high-water mark of the whole process (torch CPU tensors, "
        "NumPy arrays, allocator caching) above the post-warm-up baseline; a lower bound when memory freed by the "
        "warm-up is reused. resource.getrusage's ru_maxrss is recorded too but is useless here: it is inherited "
        "across fork/exec from the 400 MB parent, so it never moves. tracemalloc_peak = peak of Python-tracked allocations during a second call (Python "
        "objects and NumPy data buffers; torch CPU tensor storage is NOT tracked)."}
    for m in models:
        out[m] = {}
        for kind in ("fwd_bwd", "sampling_svd", "sampling_ns"):
            res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_probe", m, kind],
                                 capture_output=True, text=True, timeout=120, env=os.environ.copy())
            if res.returncode != 0:
                out[m][kind] = {"error": res.stderr[-500:]}
            else:
                out[m][kind] = json.loads(res.stdout.strip().splitlines()[-1])
            log(f"  memory {m} {kind}: {out[m][kind]}")
    return out


# ============================================================================================ profile
def profile_sampling(setup: dict, method: str, top: int = 12) -> dict[str, Any]:
    fn, info = make_sampling(setup, method)
    fn()
    prof = cProfile.Profile()
    gc.collect()
    prof.enable()
    fn()
    prof.disable()
    st = pstats.Stats(prof, stream=io.StringIO())
    total = st.total_tt
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
    by_own = [{"function": _func_label(f), "calls": v[1], "tottime_s": v[2], "share": v[2] / total} for f, v in rows]
    cum = sorted(st.stats.items(), key=lambda kv: -kv[1][3])
    by_cum = []
    for f, v in cum:
        lab = _func_label(f)
        if lab.startswith(("ggnc_theory/", "verify/")):
            by_cum.append({"function": lab, "calls": v[1], "cumtime_s": v[3], "share": v[3] / total})
        if len(by_cum) >= top:
            break
    return {"model": setup["name"], "method": method, "profiled_total_s": total,
            "samples": info["samples_total"], "top_by_own_time": by_own, "library_by_cumulative_time": by_cum}


# ============================================================================================ main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Time and memory per (‖∇f‖_*, L̂) sample of the checkpoint estimator vs one float64 "
        "forward+backward (target ≤ 2.5×), exact SVD and Newton–Schulz.")
    ap.add_argument("--quick", action="store_true", help="smoke test (< 30 s); writes nothing unless --out")
    ap.add_argument("--out", default=None, help="JSON path (default benchmarks/results/estimate.json in full mode)")
    ap.add_argument("--repeats", type=int, default=None, help="timed samples per candidate")
    ap.add_argument("--no-memory", action="store_true", help="skip the subprocess memory probes")
    ap.add_argument("--profile", action="store_true", help="cProfile the sampling even if the target is met")
    ap.add_argument("--_probe", nargs=2, metavar=("MODEL", "KIND"), help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if a._probe:
        print(json.dumps(_probe(*a._probe)))
        return 0
    mode_name = "quick" if a.quick else "full"
    mode = dict(MODES[mode_name])
    if a.repeats:
        mode["repeats"] = a.repeats
    if a.no_memory:
        mode["memory"] = False

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    busy_before = cpu_busy(1.0)
    if mode_name == "full" and busy_before is not None and busy_before > 0.10:
        log(f"machine busy ({100 * busy_before:.0f}%); waiting up to 30 s")
        wait_until_idle(30.0, 0.10, log)
    doc: dict[str, Any] = {
        "benchmark": "checkpoint estimator: time and memory per (‖∇f‖_*, L̂) sample vs forward+backward",
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode_name, "settings": {**mode, "estimate_sampling_args": {**EST, "fractions": list(EST["fractions"])},
                                        "geometry": "scion", "dtype": "float64", "batch": 256},
        "git": _git(), "machine": machine_info(),
        "other_cpu_before": busy_before, "target": TARGET,
        "definition": __doc__.split("Usage::")[0].strip(),
    }
    doc["models"] = {}
    for m in mode["models"]:
        log(f"timing {m} ...")
        res = bench_model(make_setup(m), mode, log)
        doc["models"][m] = res
        for rr in res["ratios"]:
            log(f"  {rr['name']}: {rr['value']:.3f}" + (f"  target ≤ {TARGET}: {'PASS' if rr['pass'] else 'MISS'}"
                                                       if rr["target"] else ""))
    if mode["memory"]:
        log("memory probes (subprocesses) ...")
        doc["memory"] = bench_memory(mode["models"], log)
    missed = any(rr["pass"] is False for r in doc["models"].values() for rr in r["ratios"])
    if (mode["profile"] and missed) or a.profile:
        log("profiling ...")
        doc["profiles"] = [
            profile_sampling(make_setup(m), meth) for m in mode["models"] for meth in ("svd", "newton_schulz")
            if a.profile or any(rr["pass"] is False and f"({meth})" in rr["name"] for rr in doc["models"][m]["ratios"])]
    doc["other_cpu_after"] = cpu_busy(1.0)
    retaken = kept = 0
    for r in doc["models"].values():
        for meas in r["measurements"].values():
            retaken += meas.get("discarded", 0)
            kept += meas.get("contaminated_kept", 0)
    doc["samples_retaken"], doc["contaminated_samples_kept"] = retaken, kept
    doc["other_cpu_limit"] = OTHER_CPU_LIMIT
    doc["wall_s"] = time.perf_counter() - t_start
    print_report(doc)
    out = a.out or (None if a.quick else str(HERE / "results" / "estimate.json"))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(out).with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, out)
        log(f"wrote {out}")
    return 0


def print_report(doc: dict) -> None:
    print(f"\n{doc['mode']} run, {doc['date']}, wall {doc['wall_s']:.1f} s")
    for m, r in doc["models"].items():
        print(f"\n{r['model']} ({r['n_params']} parameters)")
        print(f"  fwd+bwd float64: {1e3 * r['fwd_bwd_per_call_median_s']:.3f} ms; estimator gradient: "
              f"{1e3 * r['adapter_grad_per_call_median_s']:.3f} ms")
        for meth, pm in r["methods"].items():
            print(f"  {meth:14s} {pm['samples_per_pass']} samples/pass, {pm['gradient_evaluations_per_pass']} full + {pm['block_gradient_evaluations_per_pass']} block grads/pass, "
                  f"{1e3 * pm['time_per_sample_median_s']:.3f} ms/sample")
        for rr in r["ratios"]:
            tgt = f"  (target ≤ {rr['target']}: {'PASS' if rr['pass'] else 'MISS'})" if rr["target"] else ""
            print(f"  {rr['name']}: {rr['value']:.3f} [{rr['pairwise_min']:.3f}, {rr['pairwise_max']:.3f}]{tgt}")
    if "memory" in doc:
        print("\nmemory (fresh subprocess each): RSS peak increase KiB / tracemalloc peak KiB")
        for m in doc["models"]:
            for k, v in doc["memory"][m].items():
                if "error" in v:
                    print(f"  {m} {k}: error")
                else:
                    print(f"  {m} {k:13s} {-1 if v['rss_peak_increase_kib'] is None else v['rss_peak_increase_kib']:8d} / {v['tracemalloc_peak_bytes'] / 1024:9.1f}")
    print(f"\nsamples retaken: {doc['samples_retaken']}; contaminated kept: {doc['contaminated_samples_kept']}")


if __name__ == "__main__":
    sys.exit(main())
