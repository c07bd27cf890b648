"""Arbitrary-precision reference values (mpmath), computed independently of wfm's closed forms.

Erlang B/C come from the regularised incomplete gamma at 50 digits. Erlang A comes from the M/M/n+M
birth–death chain itself: stationary probabilities summed directly, the tagged caller's fate computed by
uniformisation of its position process (all terms positive, so no cancellation), and the mean wait of
answered callers by a first-step recursion. Time unit: the mean handle time (mu = 1).

Used by the tests and the accuracy benchmark; needs mpmath (``pip install 'wfm[dev]'``), imported lazily.
"""

from __future__ import annotations

from typing import Any

from wfm.exceptions import require_extra


def _mp() -> Any:
    return require_extra("mpmath", "dev")

DPS = 50


def erlang_b(a: float, n: int) -> Any:
    mp = _mp()
    with mp.workdps(DPS):
        a, nn = mp.mpf(a), mp.mpf(n)
        q = mp.gammainc(nn + 1, a, mp.inf, regularized=True)
        pmf = mp.exp(nn * mp.log(a) - a - mp.loggamma(nn + 1))
        return pmf / q


def erlang_c(a: float, n: int) -> Any:
    mp = _mp()
    with mp.workdps(DPS):
        if n <= a:
            return mp.mpf(1)
        b = erlang_b(a, n)
        return n * b / (n - a * (1 - b))


def service_level_c(a: float, n: int, t_over_aht: float) -> Any:
    mp = _mp()
    with mp.workdps(DPS):
        if n <= a:
            return mp.mpf(0)
        return 1 - erlang_c(a, n) * mp.exp(-(n - mp.mpf(a)) * mp.mpf(t_over_aht))


def asa_c(a: float, n: int) -> Any:
    """Mean wait in units of aht."""
    mp = _mp()
    with mp.workdps(DPS):
        return erlang_c(a, n) / (n - mp.mpf(a))


def _stationary(a: float, n: int, theta: Any, tol: Any) -> list[Any]:
    """Unnormalised birth–death probabilities pi_k (mu = 1), summed until the tail is negligible."""
    mp = _mp()
    pi = [mp.mpf(1)]
    total = mp.mpf(1)
    k = 0
    lam = mp.mpf(a)
    while True:
        k += 1
        death = min(k, n) + max(k - n, 0) * theta
        ratio = lam / death
        pi.append(pi[-1] * ratio)
        total += pi[-1]
        # Past the mode the ratios keep falling, so the tail is below a geometric series of this ratio.
        if k > n and ratio < 0.99 and pi[-1] * ratio / (1 - ratio) < tol * total:
            break
    return pi


def erlang_a(a: float, n: int, patience_over_aht: float, t_over_aht: float, *, with_sl: bool = True) -> dict:
    """P(wait>0), P(abandon), P(answered within T) and mean wait of answered (aht units) for M/M/n+M."""
    mp = _mp()
    with mp.workdps(DPS):
        theta = 1 / mp.mpf(patience_over_aht)
        lam = mp.mpf(a)
        tol = mp.mpf(10) ** (-DPS + 5)
        pi = _stationary(a, n, theta, tol)
        total = mp.fsum(pi)
        p = [x / total for x in pi]
        p_wait = mp.fsum(p[n:])
        mean_queue = mp.fsum((k - n) * p[k] for k in range(n + 1, len(p)))
        p_ab = theta * mean_queue / lam
        res = {"p_wait": p_wait, "p_ab": p_ab}
        # A caller arriving to state n + i waits at position i (i callers ahead). From position i it advances
        # at rate n + i*theta (service completions plus abandonment ahead) and abandons itself at rate theta.
        q = p[n:]
        m_max = len(q) - 1
        # Mean wait of answered callers: E[W 1{served}] by first-step recursion, then / P(served).
        ew = mp.mpf(0)
        g_prev = mp.mpf(0)
        h_prev = mp.mpf(1)
        for i in range(m_max + 1):
            c = n + (i + 1) * theta
            fwd = (n + i * theta) / c
            h = fwd * h_prev  # P(eventually served | at position i)
            g = h / c + fwd * g_prev  # E[remaining wait * 1{served} | at position i]
            ew += q[i] * g
            g_prev, h_prev = g, h
        res["asa"] = ew / (1 - p_ab)
        if with_sl:
            t = mp.mpf(t_over_aht)
            rate = n + (m_max + 1) * theta  # uniformisation rate >= every exit rate
            # state vector over positions 0..m_max; mass moves down one position or to "served".
            vec = list(q)
            served = mp.mpf(0)
            lt = rate * t
            weight = mp.exp(-lt)  # Poisson(lt) mass at k = 0
            acc = weight * served
            cum = weight
            k = 0
            while 1 - cum > tol or k < lt:
                k += 1
                new = [mp.mpf(0)] * len(vec)
                served += vec[0] * n / rate
                for i in range(len(vec)):
                    stay = 1 - (n + (i + 1) * theta) / rate
                    new[i] += vec[i] * stay
                    if i > 0:
                        new[i - 1] += vec[i] * (n + i * theta) / rate
                vec = new
                weight = weight * lt / k
                cum += weight
                acc += weight * served
            res["sl"] = (1 - p_wait) + acc
        return res
