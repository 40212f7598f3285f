"""margin-condition: suggala2019 Figure 2(a), objective (6) on the two squares, against the exact optimum.

Source: suggala2019 ("Revisiting adversarial risk"), section 6: Theorem 6, the margin condition (5),
objective (6) and the synthetic experiment of Figure 2(a): P(y = 1) = 3/4, x | y uniform on the
axis-aligned square of side 2 centred at (1.2 y, 0) (``theory.distributions.UniformSquares``; the
squares are 2m = 0.4 apart, m = 0.2), l-inf perturbations, 10^5 training samples, objective (6)
minimised over one-hidden-layer networks with 100 units; "for eps greater than 0.4 the
classification risk is non-zero".

Which objective. (6) is R(f) + lam E[sup_{||delta|| <= eps} l(f(x + delta), y) - l(f(x), y)]
= (1 - lam) E l(f(x), y) + lam E sup l(f(x + delta), y); with a surrogate loss this is objective (7)
(``empirical.objectives.Suggala(lam)``), and at lam = 1 Madry's adversarial risk (1). The paper
does not print lam for Figure 2(a); its text ("existing works always choose lam = 1") and Theorem 6
(which compares (6) with (1) at lam = 1) point to lam = 1, used here (``LAM``). Training uses the
logistic loss through ``Suggala(1.0, domain=None)``: the squares are not in [0, 1], so no clamping.

What the theory gives exactly (0-1 loss, lam = 1, so (6) is the adversarial risk
G(f) = P(exists ||delta||_inf <= eps: sign f(x + delta) != y); derived here, checked in
tests/empirical/test_torch_exp_margin_condition.py). For 0 <= eps <= m + side/2 = 1.2:

- G*(eps) = min over ALL measurable f of G(f) = (1 - p) (2 eps - 2m)_+ / side = (eps - 0.2)_+ / 4.
  Lower bound: pair each negative at x1 = -m - s, 0 <= s <= S = 2 eps - 2m, with the positives at
  x1 = m + (S - s)(1 - p)/p on the same x2 (a measure-preserving matching: the positive density is
  p/(1-p) = 3 times the negative one); each pair is <= 2 eps apart in l-inf, so the midpoint lies
  in both balls and f is wrong there for one of the two. Upper bound: the threshold tau*(eps) =
  m - eps (every positive robust; the negatives with x1 > m - 2 eps lost).
- Every minimiser of (6) has classification risk R*(eps) = (1 - p)(eps - 2m)_+ / side = (eps - 0.4)_+ / 8.
  On each line x2 = const the segment of x1-perturbations lies in the l-inf ball, so G(f) is at
  least the mean over lines of the 1-D adversarial risk; in 1-D, with u the largest robust negative
  and v the smallest robust positive (v - u >= 2 eps), G >= (1-p)(-m - u)_+/side + p(v - m)_+/side,
  minimised uniquely at v = m, u = m - 2 eps. Equality forces, on almost every line, all positives
  robust (so f = +1 on x1 > m - eps) and all negatives below m - 2 eps robust (f = -1 on
  x1 < m - eps): the minimiser's decision is the threshold tau* = m - eps, unique for eps > m
  (for eps < m the margin condition holds and any boundary in [eps - m, m - eps] is optimal, R = 0).
  Hence R* = 0 up to eps = 2m = 0.4 (tau* still in the gap: Theorem 6's Bayes optimality, though
  the margin condition already fails for eps > m) and positive beyond: Figure 2(a)'s claim.
- The Bayes-optimal classifiers (correct on both squares) have G >= G_B(eps), attained by the
  threshold clip(m - eps, -m, m); for eps > 2m this is (eps - 0.3) / 2 > G*.
- The risks of a threshold classifier sign(x1 - tau) are ``theory.regularization.uniform_squares_risks``
  at w = (1, 0), b = -tau; all the theory curves here are that closed form at the thresholds above.

What is measured. For each eps of ``EPS`` the 100-unit network (``models.one_hidden(2, 100)``) is
trained with objective (6) on samples of the squares and evaluated on fresh samples: classification
risk (clean error) and adversarial risk (PGD with random restarts, ``domain=None``), each with its
99.9% Clopper-Pearson interval from ``empirical.evaluate``. The learned decision is read off the
network: on each of 101 lines x2 = const through the squares, the equivalent threshold
tau(x2) = -c - h + (2c + 2h) * (fraction of x1 in [-c - h, c + h] classified -1) (the crossing point
for a monotone step); tau_hat is their mean.

Predictions (ids ``experiments.margin-condition.eps<e>.<key>``):

- ``adversarial-floor``: the measured adversarial risk is >= G*(eps) (a bound on every classifier;
  below it the attack would be too weak);
- ``classification-risk``: the measured classification risk == R*(eps), the risk of every minimiser
  of (6) (0 for eps <= 0.4, (eps - 0.4)/8 beyond);
- ``adversarial-at-decision``: the measured adversarial risk == the closed form of the threshold
  classifier at the network's own decision tau_hat (the network is a threshold and PGD finds its
  worst case);
- ``below-bayes-optimal`` (eps > 0.4 only): the measured adversarial risk is < G_B(eps), that of the
  best Bayes-optimal classifier: the minimiser of (6) gives up Bayes optimality to lower G.

Found in development (seed 0, quick configuration, 2-core machine shared with others): the network
follows the 0-1 theory closely: for eps >= 0.4 its decision is within about 0.01 of tau* = 0.2 - eps
and its risks match R* and G* within the intervals; at eps = 0.3 the boundary sits near -0.07
instead of -0.1 (adversarial risk 0.034 against G* = 0.025), as the logistic surrogate predicts:
for a threshold k(x1 - tau) with large k the robust logistic loss charges the *size* of each
violation, which in the limit puts tau at 0.1 - eps/2 (-0.05 at eps = 0.3) rather than at
the 0-1 minimiser 0.2 - eps; a ReLU network can saturate its logit and approach the 0-1 loss, and
mostly does. The classification risk at eps = 0.3 is still 0 (both thresholds lie in the gap).
"""

from __future__ import annotations

import numpy as np
import torch

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Suggala
from empirical.report import plot_predictions
from empirical.train import Trainer, adam, constant
from theory.distributions import UniformSquares
from theory.figures import figure, label, save, title
from theory.regularization import uniform_squares_risks

EPS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
"""The radii (l-inf) trained and evaluated at; the margin is 0.2, the separation 0.4."""

LAM = 1.0
"""lam of objective (6) (see the module docstring)."""


def _half_gap(dist: UniformSquares) -> float:
    """m, half the distance between the squares (0.2 for the paper's squares)."""
    m = dist.center - dist.side / 2
    if m < 0 or dist.p_pos <= 0.5:
        raise ValueError(f"the closed forms here need disjoint squares and p_pos > 1/2, got {dist!r}")
    return m


def _check_eps(eps: float, dist: UniformSquares) -> float:
    eps = float(eps)
    if not 0.0 <= eps <= _half_gap(dist) + dist.side / 2:
        raise ValueError(f"eps must be in [0, m + side/2] = [0, {_half_gap(dist) + dist.side / 2:g}] (beyond, "
                         f"the minimiser of (6) is not unique), got {eps!r}")
    return eps


def optimal_threshold(eps: float, dist: UniformSquares) -> float:
    """tau*(eps) = m - eps: the decision x1 > tau* of the minimiser of objective (6) (lam = 1, 0-1 loss).

    For eps > m it is the unique minimiser over all measurable classifiers (up to null sets on the
    squares' reach); for eps <= m one of many (any boundary in [eps - m, m - eps]).
    Valid for 0 <= eps <= m + side/2 (raises ValueError otherwise) and p_pos > 1/2.
    """
    return _half_gap(dist) - _check_eps(eps, dist)


def best_bayes_threshold(eps: float, dist: UniformSquares) -> float:
    """The threshold of the Bayes-optimal classifier with the smallest adversarial risk: clip(m - eps, -m, m)."""
    m = _half_gap(dist)
    return float(np.clip(m - _check_eps(eps, dist), -m, m))


def threshold_risks(tau, eps, dist: UniformSquares) -> tuple[float, float]:
    """(classification risk, adversarial risk) of sign(x1 - tau) on ``dist``, l-inf radius eps (closed form)."""
    r, g = uniform_squares_risks([1.0, 0.0], -float(tau), float(eps), p_pos=dist.p_pos, center=dist.center,
                                 side=dist.side)
    return round(float(r), 12), round(float(g), 12)  # rounding: 1e-17 where the closed form is 0


def theory_risks(eps: float, dist: UniformSquares) -> dict:
    """The theory's curves at eps: R* and G* (every minimiser of (6)), the Bayes rule x1 > 0, the best Bayes-optimal."""
    r_opt, g_opt = threshold_risks(optimal_threshold(eps, dist), eps, dist)
    r_bayes, g_bayes = threshold_risks(0.0, eps, dist)
    _, g_best_bayes = threshold_risks(best_bayes_threshold(eps, dist), eps, dist)
    return {"R_opt": r_opt, "G_opt": g_opt, "R_bayes": r_bayes, "G_bayes": g_bayes, "G_best_bayes": g_best_bayes}


def learned_threshold(model, dist: UniformSquares, *, lines: int = 101, points: int = 2201) -> dict:
    """The decision of a 2-D classifier read as a threshold in x1, line by line.

    On each of ``lines`` lines x2 = const in [-side/2, side/2], tau(x2) = lo + (hi - lo) * (fraction of
    ``points`` equally spaced x1 in [lo, hi] = [-center - side/2, center + side/2] classified -1), the
    crossing point for a monotone step from -1 to +1. Returns ``tau`` (their mean), ``tau_min``,
    ``tau_max`` and ``crossings`` (the largest number of sign changes along one line: 1 for a step).
    """
    h = dist.side / 2
    lo, hi = -dist.center - h, dist.center + h
    x1 = torch.linspace(lo, hi, points)
    taus, crossings = [], 0
    param = next(model.parameters())
    with torch.no_grad():
        for x2 in np.linspace(-h, h, lines):
            xx = torch.stack([x1, torch.full_like(x1, float(x2))], 1).to(device=param.device, dtype=param.dtype)
            positive = (model(xx).reshape(-1) > 0).cpu()
            taus.append(lo + (hi - lo) * float((~positive).float().mean()))
            crossings = max(crossings, int((positive[1:] != positive[:-1]).sum()))
    return {"tau": float(np.mean(taus)), "tau_min": float(np.min(taus)), "tau_max": float(np.max(taus)),
            "crossings": crossings}


_SEPARATION = round(2 * _half_gap(UniformSquares()), 12)
"""2m, the distance between the paper's squares (0.4): beyond it the minimiser of (6) is not Bayes optimal."""


def _key(eps: float, what: str) -> str:
    return f"eps{eps:g}.{what}"


def _predictions() -> dict:
    out = {}
    for e in EPS:
        out[_key(e, "adversarial-floor")] = (f"eps {e:g}: the adversarial risk of the network trained with "
                                             "objective (6) is >= G*(eps) = (eps - 0.2)_+/4, the least adversarial "
                                             "risk of any classifier on the squares")
        out[_key(e, "classification-risk")] = (f"eps {e:g}: its classification risk equals R*(eps) = (eps - 0.4)_+/8, "
                                               "that of every minimiser of (6) (lam = 1, 0-1 loss)")
        out[_key(e, "adversarial-at-decision")] = (f"eps {e:g}: its adversarial risk equals uniform_squares_risks of "
                                                   "the threshold classifier at its own learned decision tau_hat")
        if e > _SEPARATION:
            out[_key(e, "below-bayes-optimal")] = (f"eps {e:g}: its adversarial risk is < (eps - 0.3)/2, the least "
                                                   "adversarial risk of a Bayes-optimal classifier (the minimiser of "
                                                   "(6) is not Bayes optimal)")
    return out


def plot(report: dict, folder):
    """margin-condition.png (risks and learned decision against eps) and margin-condition-predictions.png."""
    res = report["results"]
    curves, meas = res["theory"], res["measured"]
    fig, (ax, bx) = figure(2, width=11.5, height=5.6)
    te = np.asarray(curves["eps"])
    ax.plot(te, curves["R_opt"], color="tab:blue", lw=1.8,
            label="theory: classification risk R* of every minimiser of (6)")
    ax.plot(te, curves["G_opt"], color="tab:red", lw=1.8,
            label="theory: adversarial risk G* of the minimiser = least of any classifier")
    ax.plot(te, curves["G_best_bayes"], color="tab:red", ls=":", lw=1.5,
            label="theory: least adversarial risk of a Bayes-optimal classifier")
    ax.plot(te, curves["G_bayes"], color="grey", ls="--", lw=1.2, label="theory: adversarial risk of Bayes rule x1 > 0")
    e = np.asarray(meas["eps"])
    for key, color, marker, name in (("clean", "tab:blue", "o", "measured classification risk"),
                                     ("adversarial", "tab:red", "s", "measured adversarial risk (PGD)")):
        v, lo, hi = (np.asarray(meas[key][k]) for k in ("value", "low", "high"))
        ax.errorbar(e, v, yerr=[v - lo, hi - v], fmt=marker, color=color, ms=4.5, capsize=3, mfc="white",
                    label=name + ", 99.9% interval")
    m = res["half_gap"]
    for x, text in ((m, "margin"), (2 * m, "separation")):
        ax.axvline(x, color="black", lw=0.8, alpha=0.5)
        ax.text(x, 0.98, f"{text} {x:g} ", transform=ax.get_xaxis_transform(), fontsize=7.5, va="top", ha="right",
                rotation=90)
    label(ax, "l-inf radius eps (training and evaluation)", "0-1 risk on fresh samples",
          "(a) risks of the 100-unit network trained with objective (6) against the exact theory", legend=False)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), fontsize=7.5, frameon=False)
    tau = np.asarray(meas["tau"])
    spread = np.maximum(0.0, [tau - np.asarray(meas["tau_min"]), np.asarray(meas["tau_max"]) - tau])
    bx.errorbar(e, tau, yerr=spread, fmt="o",
                color="black", ms=4.5, capsize=3, mfc="white", label="learned decision tau_hat (range over x2)")
    inside = te <= m
    bx.plot(te, curves["tau_opt"], color="tab:blue", lw=1.8, label="theory: minimiser of (6), x1 > 0.2 - eps")
    bx.fill_between(te[inside], te[inside] - m, m - te[inside], color="tab:blue", alpha=0.15,
                    label="theory: all optimal boundaries (eps <= margin)")
    bx.axhspan(-m, m, color="grey", alpha=0.12, label="gap between the squares (Bayes-optimal)")
    bx.axvline(m, color="black", lw=0.8, alpha=0.5)
    bx.axvline(2 * m, color="black", lw=0.8, alpha=0.5)
    label(bx, "l-inf radius eps (training)", "decision threshold in x1",
          "(b) where the network puts its decision boundary", legend=False)
    bx.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), fontsize=7.5, frameon=False)
    c = report["config"]
    title(fig, f"suggala2019 Figure 2(a) analogue: two squares (P(y=1) = 3/4, 0.4 apart), objective (6) with "
               f"lam = {res['lam']:g}, {c['n_train']} training / {c['n_test']} test samples")
    paths = [save(fig, folder / "margin-condition.png")]
    fig2, px = figure(width=8.0, height=0.24 * len(report["predictions"]) + 1.2)
    plot_predictions(report, px)
    label(px, "0-1 risk", "", legend=False)
    title(fig2, "margin-condition: each prediction (black) against the measured risk with its 99.9% interval")
    paths.append(save(fig2, folder / "margin-condition-predictions.png"))
    return paths


@experiment(
    "margin-condition",
    description="suggala2019 Figure 2(a): a 100-unit network trained with objective (6) on the two squares, its "
                "classification and adversarial risks against eps and the exact minimiser of (6)",
    predictions=_predictions(),
    quick=dict(n_train=10_000, n_test=50_000, width=100, epochs=10, steps=10, lr=0.01, batch_size=128,
               attack_steps=20, restarts=3),
    full=dict(n_train=100_000, n_test=1_000_000, width=100, epochs=30, steps=20, lr=0.01, batch_size=256,
              attack_steps=50, restarts=5),
    tiny=dict(n_train=1000, n_test=4000, width=16, epochs=2, steps=3, attack_steps=5, restarts=1),
    quick_cost="about 2 min on one CPU core", full_cost="about 10 min on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    dist = UniformSquares()
    m = _half_gap(dist)
    train = data.from_distribution(dist, c["n_train"], seed=ctx.seed).to(ctx.device)
    test = data.from_distribution(dist, c["n_test"], seed=ctx.seed + 1).to(ctx.device)
    report = ctx.report()
    meas = {"eps": [], "clean": {"value": [], "low": [], "high": []},
            "adversarial": {"value": [], "low": [], "high": []}, "tau": [], "tau_min": [], "tau_max": [],
            "crossings": [], "G_at_decision": []}
    for e in EPS:
        model = models.one_hidden(2, c["width"], generator=ctx.seed)
        Trainer(model, train, Suggala(LAM, steps=c["steps"], domain=None), constant(e), c["epochs"],
                optimizer=adam(lr=c["lr"]), batch_size=c["batch_size"], seed=ctx.seed,
                out_dir=ctx.out / f"train-eps{e:g}", device=ctx.device, progress=ctx.progress).fit()
        model.eval()
        attack = None if e == 0 else attacks.bind(attacks.pgd, eps=e, steps=c["attack_steps"],
                                                  restarts=c["restarts"], generator=ctx.seed, domain=None)
        clean = evaluate.robust_error(model, test.x, test.y)
        adv = evaluate.robust_error(model, test.x, test.y, attack)
        decision = learned_threshold(model, dist)
        theory = theory_risks(e, dist)
        _, g_decision = threshold_risks(decision["tau"], e, dist)
        ctx.predict(report, _key(e, "adversarial-floor"), theory["G_opt"], adv, relation=">=")
        ctx.predict(report, _key(e, "classification-risk"), theory["R_opt"], clean)
        ctx.predict(report, _key(e, "adversarial-at-decision"), g_decision, adv)
        if e > _SEPARATION:
            ctx.predict(report, _key(e, "below-bayes-optimal"), theory["G_best_bayes"], adv, relation="<")
        meas["eps"].append(e)
        for name, est in (("clean", clean), ("adversarial", adv)):
            for k in ("value", "low", "high"):
                meas[name][k].append(float(getattr(est, k)))
        for k in ("tau", "tau_min", "tau_max", "crossings"):
            meas[k].append(decision[k])
        meas["G_at_decision"].append(g_decision)
    fine = np.linspace(0.0, max(EPS), 201)
    curves = {"eps": fine.tolist(), "tau_opt": [optimal_threshold(e, dist) for e in fine]}
    for e in fine:
        for k, v in theory_risks(e, dist).items():
            curves.setdefault(k, []).append(v)
    report.results.update(measured=meas, theory=curves, lam=LAM, half_gap=m,
                          bayes_error=float(dist.bayes_error()))
    return report
