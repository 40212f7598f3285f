"""Claims on the numerics of theory.gaussian: the batched base-relative risk and the compensated dot products.

Not results of a paper but of this package's evaluation, each checked against a computation that
shares no code with it:

- ``beyond.numerics.base-relative-batched``: the fixed Gauss-Legendre rule over all rows (with its
  per-row error estimate and adaptive fallback) against the per-row adaptive quadrature it replaced
  (scipy ``quad`` between the kinks of F) and against Monte Carlo with a per-sample primal adversary.
- ``beyond.numerics.dot2``: the vectorized Dot2 of theory._dd (TwoProduct by Dekker's splitting,
  the products added by a pairwise tree of TwoSums) against mpmath at 200 digits, on dot products
  made ill-conditioned by Ogita, Rump and Oishi's GenDot construction.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from theory import _dd
from theory import gaussian as G
from theory import reference as ref
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim, combine, from_estimate
from theory.distributions import GaussianMixture
from theory.montecarlo import estimate_probability

U = 2.0**-53


def gen_dot(n: int, log2_cond: float, rng):
    """x, y of length n >= 2 whose dot product has condition number about 2**log2_cond (GenDot).

    Ogita, Rump and Oishi (2005), section 6: half the products get random exponents up to
    log2_cond / 2; each of the other half is chosen (its y_i from the exact running sum, in
    rationals) so that the sum cancels step by step down to order one; then the entries are
    shuffled.
    """
    b = float(log2_cond)
    n2 = n // 2
    x, y = np.empty(n), np.empty(n)
    e = np.round(rng.random(n2) * b / 2)
    e[0] = np.round(b / 2) + 1
    e[-1] = 0
    x[:n2] = (2 * rng.random(n2) - 1) * 2.0**e
    y[:n2] = (2 * rng.random(n2) - 1) * 2.0**e
    total = sum((Fraction(float(a)) * Fraction(float(c)) for a, c in zip(x[:n2], y[:n2], strict=True)), Fraction(0))
    ee = np.round(np.linspace(b / 2, 0, n - n2))
    for i in range(n2, n):
        x[i] = (2 * rng.random() - 1) * 2.0 ** ee[i - n2]
        y[i] = float(((2 * rng.random() - 1) * Fraction(2.0 ** ee[i - n2]) - total) / Fraction(float(x[i])))
        total += Fraction(float(x[i])) * Fraction(float(y[i]))
    perm = rng.permutation(n)
    return x[perm], y[perm]


def dot2_error(x, y):
    """(|hi + lo - x.y|, gamma_n^2 sum |x_i y_i| + u^2 |x.y|) for (hi, lo) = theory._dd.dot(x, y), in mpmath."""
    hi, lo = _dd.dot(x, y)
    n = len(x)
    with mpmath.workdps(200):
        prods = [mpmath.mpf(float(a)) * mpmath.mpf(float(c)) for a, c in zip(x, y, strict=True)]
        exact = mpmath.fsum(prods)
        err = abs(mpmath.mpf(float(hi)) + mpmath.mpf(float(lo)) - exact)
        gamma = n * U / (1 - n * U)
        bound = gamma**2 * mpmath.fsum(abs(p) for p in prods) + U * U * abs(exact)
        return float(err), float(bound)


@claim("beyond.numerics.base-relative-batched",
       source="this package: theory.gaussian.base_relative_adversarial_risk (suggala2019 Definition 2), batched rule",
       statement="The batched evaluation of the base-relative risk (a fixed Gauss-Legendre rule of orders 7 and 8 "
                 "on pieces between the kinks of F, the rows whose estimate |G_8 - G_7| exceeds 1e-11 recomputed "
                 "adaptively) agrees with the per-row adaptive quadrature to an absolute 1e-10 for every norm, "
                 "with and without a noise support and for classifiers nearly parallel to theta, and every row it "
                 "does not flag is within 1e-10 by itself.",
       samples=(20_000, 400_000))
def base_relative_batched(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst, worst_kept, rows, flagged = 0.0, 0.0, 0, 0
    for norm in (np.inf, 2.0, 1.0):
        for kind in ("random", "parallel", "support"):
            d = 4
            theta = rng.normal(size=d)
            support = None
            w = rng.normal(size=(6, d))
            if kind == "parallel":
                w = theta + 10.0 ** rng.uniform(-8, -2, size=(6, 1)) * w
            elif kind == "support":
                support = np.array([True, True, False, True])
                theta[2] = 0.0
            eps, sigma = float(rng.uniform(0.05, 0.8)), float(rng.uniform(0.5, 1.5))
            new = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm, support=support)
            old = G._base_relative_adaptive(w, theta, eps, sigma, norm=norm, support=support)
            val, _, fb = G._base_relative_batched(w, np.broadcast_to(theta, w.shape), np.full(6, eps),
                                                  np.full(6, sigma), norm, support)
            worst = max(worst, float(np.max(np.abs(new - old))))
            if (~fb).any():
                worst_kept = max(worst_kept, float(np.max(np.abs(val[~fb] - old[~fb]))))
            rows += 6
            flagged += int(fb.sum())
    quad = CheckResult(HOLDS if worst <= 1e-10 and worst_kept <= 1e-10 else FAILS, worst, 1e-10, None,
                       f"{rows} rows: max |batched - adaptive| = {worst:.1e}, on the {rows - flagged} rows the fixed "
                       f"rule kept {worst_kept:.1e} ({flagged} sent to the fallback).")
    w, theta, eps, sigma = np.array([1.0, 0.6, -0.4]), np.array([0.8, -0.2, 0.5]), 0.5, 0.9
    mc = []
    for norm in (np.inf, 2.0, 1.0):
        est = estimate_probability(lambda x, y, nm=norm: ref.flippable(x, w, theta, eps, norm=nm),
                                   GaussianMixture(theta, sigma=sigma).sample, run.n, run.rng(2))
        mc.append(from_estimate(float(G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)), est,
                                f"Monte Carlo norm={norm}"))
    return combine([quad, *mc], worst, 1e-10, None, quad.detail + " Monte Carlo (primal adversary, d = 3): "
                   + ", ".join(f"{r.value:.4f} in [{r.interval[0]:.4f}, {r.interval[1]:.4f}]" for r in mc) + ".")


@claim("beyond.numerics.dot2",
       source="Ogita, Rump and Oishi 2005, Accurate sum and dot product, SIAM J. Sci. Comput. 26(6), "
              "section 5 (Dot2 and its error bound); theory._dd.dot, vectorized in tree order",
       statement="The compensated dot product (hi, lo) = Dot2(x, y) satisfies |hi + lo - x.y| <= "
                 "gamma_n^2 sum |x_i y_i| + u^2 |x.y| (gamma_n = n u / (1 - n u)), also when its n - 1 TwoSums "
                 "are taken in pairwise tree order.",
       samples=(30, 300))
def dot2(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst_ratio, plain_bad = 0.0, 0
    for _ in range(run.n):
        n = int(rng.integers(4, 80))
        x, y = gen_dot(n, float(rng.uniform(10, 150)), rng)
        err, bound = dot2_error(x, y)
        worst_ratio = max(worst_ratio, err / bound if bound > 0 else (0.0 if err == 0 else np.inf))
        with mpmath.workdps(200):
            exact = mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(c)) for a, c in zip(x, y, strict=True))
        plain_bad += abs(float(np.dot(x, y)) - float(exact)) > 1e-3 * abs(float(exact))
    ok = worst_ratio <= 1.0
    return CheckResult(HOLDS if ok else FAILS, worst_ratio, 1.0, (0.0, 1.0),
                       f"{run.n} GenDot products (n = 4..79, cond 2^10..2^150): largest error / bound = "
                       f"{worst_ratio:.2e}; plain np.dot is off by more than 1e-3 relative on {plain_bad}.")
