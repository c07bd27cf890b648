"""wfm.erlang: staffing speed against pyworkforce, Erlang A staffing, accuracy against mpmath.

A week of 15-minute intervals (672 values): an M-shaped weekday (peaks near 10:00 and 14:30), a short
Friday, a light weekend and empty nights (no calls 22:00–07:00), AHT 300 s, target 80% in 20 s. The same
expected volumes (floats, as a forecast gives them) go to both libraries.
"""

from __future__ import annotations

import numpy as np

from benchmarks._common import Table, best_time

AHT = 300.0
INTERVAL = 900.0
TARGET = 0.8
ANSWER = 20.0


def week_profile() -> np.ndarray:
    """Calls per 15-minute interval for one week, scaled so the busiest interval is 1."""
    hours = np.arange(96) / 4.0
    weekday = np.exp(-(((hours - 10.0) / 1.6) ** 2)) + 0.85 * np.exp(-(((hours - 14.5) / 1.9) ** 2))
    weekday += 0.35 * np.exp(-(((hours - 19.0) / 1.5) ** 2))  # evening shoulder
    open_ = (hours >= 7) & (hours < 22)
    weekday = np.where(open_, weekday + 0.05, 0.0)
    friday = np.where(hours < 15, weekday, 0.0)
    weekend = 0.35 * weekday
    week = np.concatenate([weekday] * 4 + [friday, weekend, weekend])
    return week / week.max()


def _pyworkforce_staff(erlang_c_cls: type, calls: np.ndarray) -> tuple[np.ndarray, int]:
    """pyworkforce 0.5.1 ErlangC per interval (it takes minutes); zero-call intervals raise, marked -1."""
    out = np.full(calls.size, -1, dtype=np.int64)
    errors = 0
    for i, c in enumerate(calls.tolist()):
        try:
            res = erlang_c_cls(transactions=float(c), aht=AHT / 60, asa=ANSWER / 60, interval=INTERVAL / 60)
            out[i] = res.required_positions(service_level=TARGET)["raw_positions"]
        except ValueError:
            errors += 1
    return out, errors


def _explain_mismatches(calls: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> list[str]:
    """For each disagreement, which answer is the smallest meeting the target, by mpmath."""
    from wfm.erlang._mp_reference import service_level_c

    notes = []
    bad = np.flatnonzero((theirs >= 0) & (theirs != ours))
    overshoot = undershoot = 0
    for i in bad[:200]:
        a = calls[i] * AHT / INTERVAL
        lo = int(min(ours[i], theirs[i]))
        if float(service_level_c(a, lo, ANSWER / AHT)) >= TARGET:
            overshoot += int(theirs[i] > ours[i])
            undershoot += int(theirs[i] < ours[i])
    if bad.size:
        notes.append(f"{bad.size} interval(s) differ; in {overshoot} pyworkforce staffs more than the smallest "
                     f"number meeting the target by mpmath (it starts counting at round(a + 1), which skips "
                     f"ceil(a) when a's fraction is >= 0.5), in {undershoot} it staffs fewer.")
    return notes


def bench_week(quick: bool) -> Table:
    from wfm.erlang import required_agents
    from wfm.exceptions import MissingExtraError, require_extra

    table = Table("Required agents for a week of 15-min intervals (672), Erlang C 80/20, AHT 300 s",
                  ["centre (peak Erlangs)", "wfm s", "pyworkforce s", "speed-up", "mismatches", "pwf errors"])
    try:
        erlang_c_cls = require_extra("pyworkforce.queuing", "bench").ErlangC
    except MissingExtraError:
        erlang_c_cls = None
        table.notes.append("pyworkforce is not installed (pip install 'wfm[bench]'): its columns are n/a.")
    profile = week_profile()
    sizes = [("small (13)", 40.0), ("medium (100)", 300.0), ("large (1000)", 3000.0)]
    for label, peak in sizes:
        calls = peak * profile
        t_wfm, ours = best_time(lambda c=calls: required_agents(c, AHT, service_level=TARGET,
                                                                answer_seconds=ANSWER,
                                                                interval_seconds=INTERVAL), repeat=9)
        if erlang_c_cls is None:
            table.add(label, t_wfm, float("nan"), float("nan"), None, None)
            continue
        repeat = 1 if (quick or peak > 1000) else 3
        t_pwf, (theirs, errors) = best_time(lambda c=calls: _pyworkforce_staff(erlang_c_cls, c), repeat=repeat)
        ok = theirs >= 0
        mismatches = int((theirs[ok] != ours[ok]).sum())
        table.add(label, t_wfm, t_pwf, t_pwf / t_wfm, mismatches, errors)
        table.notes += [f"{label}: {n}" for n in _explain_mismatches(calls, ours, theirs)]
    zero = int((profile == 0).sum())
    table.notes.append(f"{zero} of 672 intervals have no calls: wfm returns 0 agents; pyworkforce raises "
                       "ValueError ('transactions can't be smaller or equals than 0'), counted in 'pwf errors'; "
                       "mismatches compare the other intervals.")
    table.notes.append("Times are best-of-n wall seconds in one process; speed-up = pyworkforce / wfm.")
    return table


def bench_many_queues(quick: bool) -> Table:
    from wfm.erlang import required_agents
    from wfm.exceptions import MissingExtraError, require_extra

    rng = np.random.default_rng(2024)
    n_queues = 1000
    peaks = rng.uniform(10.0, 600.0, n_queues)
    noise = rng.uniform(0.9, 1.1, (n_queues, 672))
    calls = peaks[:, None] * week_profile()[None, :] * noise
    ahts = rng.uniform(120.0, 600.0, n_queues)[:, None]
    table = Table("Required agents for 1,000 queues x 672 intervals (672,000 values), Erlang C 80/20",
                  ["case", "wfm s", "pyworkforce s", "speed-up", "mismatches"])

    t_shared, n_shared = best_time(lambda: required_agents(calls, AHT, interval_seconds=INTERVAL), repeat=5)
    t_own, n_own = best_time(lambda: required_agents(calls, ahts, interval_seconds=INTERVAL), repeat=3)
    try:
        erlang_c_cls = require_extra("pyworkforce.queuing", "bench").ErlangC
    except MissingExtraError:
        erlang_c_cls = None
    if erlang_c_cls is None:
        table.add("one AHT (300 s) for all queues", t_shared, float("nan"), float("nan"), None)
        table.notes.append("pyworkforce is not installed: its columns are n/a.")
    else:
        # pyworkforce takes ~0.1 s per queue-week: the full run times every queue, quick mode a sample.
        sample = 10 if quick else n_queues
        t0 = __import__("time").perf_counter()
        theirs = np.stack([_pyworkforce_staff(erlang_c_cls, calls[q])[0] for q in range(sample)])
        t_pwf = (__import__("time").perf_counter() - t0) * n_queues / sample
        ok = theirs >= 0
        mism = int((theirs[ok] != n_shared[:sample][ok]).sum())
        table.add("one AHT (300 s) for all queues", t_shared, t_pwf, t_pwf / t_shared, mism)
        if sample < n_queues:
            table.notes.append(f"quick mode: pyworkforce timed on {sample} queues and scaled to {n_queues}; "
                               "mismatches counted on those queues.")
    table.add("own AHT per queue (120-600 s)", t_own, float("nan"), float("nan"), None)
    # Every answer is checked with the direct formula: meets the target, and one agent fewer does not.
    from wfm.erlang import service_level

    viol = 0
    for n, h in ((n_shared, AHT), (n_own, ahts)):
        busy = calls > 0
        sl = service_level(calls, h, n, interval_seconds=INTERVAL)
        sl_less = service_level(calls, h, np.maximum(n - 1, 0), interval_seconds=INTERVAL)
        viol += int(((sl < TARGET) & busy).sum() + ((sl_less >= TARGET) & busy & (n > 0)).sum())
    table.notes.append(f"Minimality check on all 1,344,000 answers (SL(n) >= 0.8 > SL(n-1)): {viol} violations.")
    table.notes.append("One AHT: the answer is a step function of the load, so wfm finds the load thresholds "
                       "once (bisection) and looks every interval up; own AHT: vectorised stepping from the "
                       "Halfin-Whitt estimate with the Erlang B recurrence (one incomplete-gamma call per "
                       "interval). Target < 0.25 s (aim 0.1 s).")
    return table


def bench_erlang_a(quick: bool) -> Table:
    from wfm.erlang import estimate_patience, required_agents, service_level

    patience = 230.0
    source = "default 230 s"
    try:
        from wfm.datasets import load_bank_calls

        patience = round(estimate_patience(load_bank_calls()).mean_seconds, 1)
        source = "estimated from the bank's February 1999 calls"
    except Exception:  # noqa: BLE001 - the shared data is optional for the benchmark
        pass
    calls = 300.0 * week_profile()
    table = Table(f"Erlang A staffing for the medium week (672 intervals), patience {patience} s ({source})",
                  ["model / targets", "wfm s", "agent-hours", "mean SL (Erlang A)", "mean abandon"])
    from wfm.erlang import abandon_rate

    cases = [
        ("Erlang C, 80/20", {}),
        ("Erlang A, 80/20", {"patience_seconds": patience}),
        ("Erlang A, 80/20 + abandon <= 3%", {"patience_seconds": patience, "max_abandon": 0.03}),
    ]
    busy = calls > 0
    for label, kw in cases:
        t, n = best_time(lambda kw=kw: required_agents(calls, AHT, interval_seconds=INTERVAL, **kw),
                         repeat=5 if quick else 9)
        sl = service_level(calls, AHT, n, interval_seconds=INTERVAL, patience_seconds=patience)
        ab = abandon_rate(calls, AHT, n, patience_seconds=patience, interval_seconds=INTERVAL)
        table.add(label, t, float(n.sum() / 4), float(sl[busy].mean()), float(ab[busy].mean()))
    table.notes.append("Target: well under 0.5 s. pyworkforce 0.5.1 has no Erlang A; 0.5.4's (Python >= 3.12) "
                       "was measured elsewhere at ~26 s for a week.")
    table.notes.append("SL and abandonment of every row are evaluated under Erlang A (callers do hang up): "
                       "Erlang C's staffing over-delivers the service level it was asked for.")
    return table


def bench_accuracy(quick: bool) -> Table:
    from wfm.erlang import abandon_rate, erlang_b, erlang_c, service_level
    from wfm.erlang._mp_reference import erlang_a as mp_a
    from wfm.erlang._mp_reference import erlang_b as mp_b
    from wfm.erlang._mp_reference import erlang_c as mp_c
    from wfm.erlang._mp_reference import service_level_c as mp_sl
    from wfm.exceptions import MissingExtraError

    table = Table("Accuracy: max absolute error against mpmath (50 digits)", ["quantity", "grid points",
                                                                          "wfm max error", "pyworkforce max error"])
    traffic = [0.01, 0.5, 3.0, 42.0, 170.5, 999.0, 5000.0, 10000.0]
    agents = [1, 2, 5, 30, 171, 200, 1000, 5000, 9990, 10000, 10001, 10100, 12000, 20000]
    if quick:
        traffic, agents = traffic[::2] + [10000.0], [1, 5, 171, 1000, 10001, 20000]
    grid = [(a, n) for a in traffic for n in agents]
    a, n = np.array(grid, dtype=float).T
    try:
        from wfm.exceptions import require_extra

        require_extra("mpmath", "dev")
    except MissingExtraError:
        table.notes.append("mpmath is not installed (pip install 'wfm[dev]'): accuracy skipped.")
        return table
    ref_b = np.array([float(mp_b(x, int(k))) for x, k in grid])
    ref_c = np.array([float(mp_c(x, int(k))) for x, k in grid])
    ref_s = np.array([float(mp_sl(x, int(k), ANSWER / AHT)) for x, k in grid])
    calls = a * INTERVAL / AHT
    errs = {
        "Erlang B": float(np.max(np.abs(erlang_b(a, n) - ref_b))),
        "Erlang C": float(np.max(np.abs(erlang_c(a, n) - ref_c))),
        "service level (Erlang C)": float(np.max(np.abs(
            service_level(calls, AHT, n, answer_seconds=ANSWER, interval_seconds=INTERVAL) - ref_s))),
    }
    pwf: dict[str, float] = {}
    try:
        from wfm.exceptions import require_extra

        pcls = require_extra("pyworkforce.queuing", "bench").ErlangC
        pw_c, pw_s = [], []
        for (x, k), c in zip(grid, calls, strict=True):
            e = pcls(transactions=float(c), aht=AHT / 60, asa=ANSWER / 60, interval=INTERVAL / 60)
            try:
                pw_c.append(e.waiting_probability(int(k)) if k > x else 1.0)
                pw_s.append(e.service_level(int(k)) if k > x else 0.0)
            except (OverflowError, ZeroDivisionError):
                pw_c.append(float("nan"))
                pw_s.append(float("nan"))
        pwf["Erlang C"] = float(np.nanmax(np.abs(np.array(pw_c) - ref_c)))
        pwf["service level (Erlang C)"] = float(np.nanmax(np.abs(np.array(pw_s) - ref_s)))
        nan = int(np.isnan(pw_c).sum())
        if nan:
            table.notes.append(f"pyworkforce failed (overflow) on {nan} grid points.")
    except MissingExtraError:
        table.notes.append("pyworkforce not installed: its column is n/a.")
    for q, e in errs.items():
        table.add(q, len(grid), e, pwf.get(q, float("nan")))
    # Erlang A against the exact birth-death chain.
    cases = [(0.8, 1, 3.0, 0.2), (5.0, 4, 1.0, 0.1), (50.0, 45, 2.0, 0.1), (50.0, 60, 0.2, 0.1)]
    big = [(1000.0, 990, 2.0), (5000.0, 4000, 1.0), (9999.5, 10100, 3.0)]
    if quick:
        cases, big = cases[:2], big[:1]
    err_sl = err_ab = 0.0
    aht = 100.0
    for x, k, r, t in cases:
        ref = mp_a(x, k, r, t)
        c = x * INTERVAL / aht
        err_sl = max(err_sl, abs(service_level(c, aht, k, answer_seconds=t * aht, interval_seconds=INTERVAL,
                                               patience_seconds=r * aht) - float(ref["sl"])))
        err_ab = max(err_ab, abs(abandon_rate(c, aht, k, patience_seconds=r * aht, interval_seconds=INTERVAL)
                                 - float(ref["p_ab"])))
    for x, k, r in big:
        ref = mp_a(x, k, r, 0.0, with_sl=False)
        c = x * INTERVAL / aht
        err_ab = max(err_ab, abs(abandon_rate(c, aht, k, patience_seconds=r * aht, interval_seconds=INTERVAL)
                                 - float(ref["p_ab"])))
        err_sl = max(err_sl, abs(service_level(c, aht, k, answer_seconds=0, interval_seconds=INTERVAL,
                                               patience_seconds=r * aht) - (1 - float(ref["p_wait"]))))
    table.add("Erlang A service level", len(cases) + len(big), err_sl, float("nan"))
    table.add("Erlang A abandonment", len(cases) + len(big), err_ab, float("nan"))
    table.notes.append("Grid: traffic 0.01-10,000 Erlangs x agents 1-20,000. Erlang A reference: the M/M/n+M "
                       "birth-death chain summed in mpmath (service level by uniformisation), up to 10,100 "
                       "agents. Target 1e-9.")
    return table


def run(quick: bool) -> list[Table]:
    return [bench_week(quick), bench_many_queues(quick), bench_erlang_a(quick), bench_accuracy(quick)]
