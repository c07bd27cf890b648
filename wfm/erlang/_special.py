"""Log-space special functions behind the Erlang formulas.

Two quantities carry all the numerics:

* ``log_r(n, a)`` — the log of ``R = 1/B(n, a) - 1 = P(N <= n-1) / P(N = n)`` for ``N ~ Poisson(a)``, where
  ``B`` is Erlang B. ``R`` is finite and positive for ``n >= 1`` and every ``a > 0``; Erlang B and C follow
  from it without cancellation (``B = 1/(1+R)``, ``C = 1/(1 + R(1 - a/n))``).
* ``log_kummer(s, z)`` — the log of ``A(s, z) = sum_j z^j / ((s+1)...(s+j)) = 1F1(1; s+1; z)``, the function
  of Mandelbaum & Zeltyn's Erlang A formulas, ``A(s, z) = e^z z^-s Gamma(s+1) P(s, z)``.

Both are a regularised incomplete gamma divided by a Poisson mass. The mass is computed with Loader's
saddle-point form (deviance ``bd0`` plus Stirling error, Loader 2000), which keeps full relative accuracy for
``n`` and ``a`` in the tens of thousands where ``n log a - a - lgamma(n+1)`` loses digits to cancellation.
Where the incomplete gamma underflows (far from the centre of the distribution), a geometric series that
converges fast exactly there replaces it. Everything is vectorised over numpy arrays.
"""

from __future__ import annotations

import numpy as np
from scipy import special

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
# Below this the regularised incomplete gamma is too close to underflow to trust; a series takes over.
_TINY = 1e-280
# Largest n for which log R uses the direct n log a - a - lgamma(n+1) (absolute error < ~1e-12).
_NAIVE_MAX = 2000.0


def _stirlerr(k: np.ndarray) -> np.ndarray:
    """``log Gamma(k+1) - [(k + 1/2) log k - k + log sqrt(2 pi)]`` for ``k > 0`` (Stirling's error)."""
    k = np.asarray(k, dtype=float)
    # Asymptotic series (Loader 2000); above 15 five terms give full double precision. Computed for every
    # element (cheaper than splitting the array) with small k replaced by the direct form afterwards.
    kb = np.maximum(k, 15.0)
    k2 = kb * kb
    out = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * k2)) / k2) / k2) / k2) / kb
    small = k < 15.0
    if small.any():
        ks = k[small]
        out[small] = special.gammaln(ks + 1.0) - (ks + 0.5) * np.log(ks) + ks - _LOG_SQRT_2PI
    return out


def _bd0(k: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Deviance term ``k log(k/lam) + lam - k`` (>= 0) without cancellation when ``k`` is near ``lam``."""
    k = np.asarray(k, dtype=float)
    lam = np.asarray(lam, dtype=float)
    # Loader's series where k is within 2% of lam (|v| < 0.01): five terms reach 1e-18 relative. Further
    # out the direct form loses at most a factor 1/|v| <= 100 to cancellation, i.e. ~1e-14 relative.
    # Both are computed for every element (no array splitting) and the right one is picked.
    d = k - lam
    v = d / (k + lam)
    near = np.abs(v) < 0.01
    vn = np.where(near, v, 0.0)
    s = d * vn
    ej = 2.0 * k * vn
    v2 = vn * vn
    for j in range(1, 6):
        ej = ej * v2
        s = s + ej / (2 * j + 1)
    direct = k * np.log(k / lam) - d
    return np.where(near, s, direct)


def log_poisson_mass(k: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``log(lam^k e^-lam / Gamma(k+1))`` for real ``k > 0`` and ``lam > 0``, accurate for large arguments."""
    k = np.asarray(k, dtype=float)
    return -_LOG_SQRT_2PI - 0.5 * np.log(k) - _stirlerr(k) - _bd0(k, lam)


def log_r(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log(1/B(n, a) - 1)`` for integer ``n >= 1`` and ``a > 0`` (``B`` is Erlang B).

    ``R = Q(n, a) / pmf(n; a)`` with ``Q`` the regularised upper incomplete gamma (``P(N <= n-1)``).
    When ``Q`` underflows (``a`` far above ``n``) the finite sum ``R = sum_{j=1..n} prod_{i<j} (n-i)/a``
    is used; its ratio is below ``n/a``, far from 1 there, so it converges in a few hundred terms at most.
    """
    n, a = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(a, dtype=float))
    q = special.gammaincc(n, a)
    ok = q > _TINY
    if n.size and n.max() < _NAIVE_MAX:
        # Below a couple of thousand agents the direct log mass loses < 1e-12 to cancellation: cheaper.
        lmass = n * np.log(a) - a - special.gammaln(n + 1.0)
        if ok.all():
            return np.log(q) - lmass
        out = np.empty(n.shape)
        out[ok] = np.log(q[ok]) - lmass[ok]
    else:
        out = np.empty(n.shape)
        out[ok] = np.log(q[ok]) - log_poisson_mass(n[ok], a[ok])
    bad = np.flatnonzero(~ok)
    if bad.size:
        nb, ab = n.ravel()[bad], a.ravel()[bad]
        term = np.ones_like(nb)
        total = np.zeros_like(nb)
        j = 0
        active = np.arange(nb.size)
        while active.size:
            term[active] *= (nb[active] - j) / ab[active]
            total[active] += term[active]
            j += 1
            keep = (term[active] > 1e-18 * total[active]) & (nb[active] > j)
            active = active[keep]
        out.ravel()[bad] = np.log(total)
    return out


def log_kummer(s: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``log A(s, z)`` with ``A(s, z) = sum_{j>=0} z^j / ((s+1)...(s+j))`` for real ``s > 0``, ``z >= 0``.

    ``A = P(s, z) / pmf(s; z)`` (``P`` the regularised lower incomplete gamma, continuous ``s``). Where ``P``
    underflows or ``z < s/2`` the series itself is summed: its ratio ``z/(s+j)`` is then well below one.
    """
    s, z = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(z, dtype=float))
    out = np.zeros(s.shape)
    pos = z > 0
    p = np.zeros(s.shape)
    p[pos] = special.gammainc(s[pos], z[pos])
    ok = pos & (p > _TINY) & (z >= 0.5 * s)
    out[ok] = np.log(p[ok]) - log_poisson_mass(s[ok], z[ok])
    ser = np.flatnonzero(pos & ~ok)
    if ser.size:
        sb, zb = s.ravel()[ser], z.ravel()[ser]
        term = np.ones_like(sb)
        total = np.ones_like(sb)
        j = 1
        active = np.arange(sb.size)
        while active.size:
            term[active] *= zb[active] / (sb[active] + j)
            total[active] += term[active]
            j += 1
            active = active[term[active] > 1e-18 * total[active]]
        out.ravel()[ser] = np.log(total)
    return out
