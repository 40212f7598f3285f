"""lambda-sweep: the accuracy / robustness trade-off of objective (7) and TRADES, and model capacity, on the digits.

Data: the 10-class 8x8 digits of scikit-learn (``empirical.data.digits``: 1,347 train / 450 test images,
pixels in [0, 1]); models ``empirical.models.DigitsCNN(classes=10, width=w)``; threat model l-inf, radius
``eps`` (0.1, zhang2019's MNIST radius; suggala2019 uses 0.05 and 0.03 on MNIST). Every model is trained
with Adam and PGD inner maximization (``train_steps`` sign steps, random start) and evaluated on the
test set, clean and under a stronger attack (quick: PGD with ``attack_steps`` steps and ``restarts``
restarts; full: ``attacks.auto_attack``). For a model f with clean test error R(f) and robust test error
R_rob(f), suggala2019's *adversarial risk* (its Definition 2 with the base classifier replaced by the
label, objective (6)) is the excess R_adv(f) = R_rob(f) - R(f), the fraction of test points classified
correctly that the attack flips (the column of its Tables 1-2: e.g. its Table 2 rows add up to ~1), and
the *joint risk* is R(f) + lambda_J R_adv(f) (its objective (4)); its Figure 3 adds "both classification
and adversarial risks", lambda_J = 1 (``joint_lam``), where the joint risk equals the robust error. The
same definition underlies ``empirical.objectives.Suggala``.

Sources
-------
- suggala2019 ("Revisiting adversarial risk"), section 7, objective (7):
  min_f lam E[sup_{||delta|| <= eps} L(f(x + delta), y)] - (lam - 1) E[L(f(x), y)], trained with PGD
  (``objectives.Suggala``; lam = 0 is standard training, ``objectives.Standard``, and lam = 1 is
  Madry's objective, ``objectives.Madry``, so those two grid points are trained with them and shared
  with the capacity sweep). Section 6 "Choice of lambda" and section 7 (Figures 2(b), 3): "increasing
  lambda reduces the adversarial risk, but increases the classification risk". Tables 1-2 (section
  7.2; MNIST eps 0.05 and CIFAR-10 eps 0.01, lambda in {0, 0.001, 0.01, 0.1, 1, 2}, 10 trials):
  "adversarial training with appropriate choice of lambda results in models with better
  classification risk" -- on MNIST (Table 1) the classification risk is 0.1012 at lambda = 0 and
  0.0850 at lambda = 1 (then 0.1687 at lambda = 2).
- suggala2019 section 7.1, Figures 4-5 (capacity by the number of hidden units, appendix H): "as we
  increase the complexity of F we expect the joint risk R(f) + lambda R_adv(f) [of traditionally
  trained models] to go down" (Figure 4) and "performing adversarial training on complex networks
  results in classifiers with better classification risk" (Figure 5, lambda = 1). Here the capacity
  is the CNN's ``width``.
- zhang2019 (TRADES), section 5.2, Table 4 (MNIST eps 0.1, 1/lambda = beta in 0.1 .. 5): "as the
  regularization parameter 1/lambda increases, the natural accuracy decreases while the robust
  accuracy increases" (``objectives.Trades(beta)``).

Predictions (each a paired difference across seeds: for seed s the two models share their
initialization and batch order; the per-seed differences go to ``theory.montecarlo.mean``, a 99.9%
Student-t interval over ``n_seeds`` values (t quantile 6.87 for 6 seeds, 636 for 2); ">" / "<" are
held only when the whole interval is on the asserted side):

- ``suggala.robust-error-falls``: R_rob(lam_max) - R_rob(0) < 0 (lam_max the largest lambda of the grid, 2);
- ``suggala.adversarial-risk-falls``: R_adv(lam_max) - R_adv(0) < 0;
- ``suggala.clean-error-rises``: R(lam_max) - R(0) > 0;
- ``suggala.regularization``: R(1) - R(0) < 0 (Table 1's pattern at lambda = 1);
- ``trades.robust-error-falls``: R_rob(beta_max) - R_rob(beta_min) < 0;
- ``trades.clean-error-rises``: R(beta_max) - R(beta_min) > 0;
- ``capacity.standard-joint-risk-falls``: standard training, joint risk (lambda_J = 1) at the largest
  width minus at the smallest < 0 (Figure 4);
- ``capacity.adversarial-clean-error-falls``: adversarial training (lambda = 1), clean error at the
  largest width minus at the smallest < 0 (Figure 5).

Results (``report.results``): for every lambda, beta and width the mean and interval over seeds and
the per-seed values of the clean error, the robust error and the adversarial risk (and the joint risk
for the capacity sweep), the parameter counts, and per model its clean and robust error with their
Clopper-Pearson intervals (450 test points).

Found in development (quick configuration, seeds 0-5, CPU): the four directions with large effects held
(robust error -0.24 from lambda 0 to 2, adversarial risk -0.28, TRADES robust error -0.19 from beta 0.1 to
5, standard training's joint risk -0.28 from width 1 to 8); the robust error is not monotone in lambda
(0.53, 0.25, 0.29 at lambda 0, 1, 2: lambda 2 buys a slightly lower adversarial risk, 0.211 against 0.217,
at twice the clean error). The clean-error directions are 0.5-4 points against a seed-to-seed spread of
1-3 points, which six seeds with a 99.9% t interval cannot resolve: clean-error-rises (+0.039, all six
seeds positive), regularization (-0.006) and trades.clean-error-rises (+0.011) are inconclusive.
Adversarial training at width 1 collapsed to a constant classifier (clean error 0.9) in four of six
seeds, so Figure 5's difference (-0.60) is bimodal and inconclusive although every seed has it negative.
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry, Standard, Suggala, Trades
from empirical.report import plot_predictions
from empirical.train import Trainer, adam, constant
from theory.figures import figure, label, save, title
from theory.montecarlo import Estimate, mean, proportion

METRICS = ("clean_error", "robust_error", "adversarial_risk")


# ----------------------------------------------------------------------------------------------
# the quantities (tested in tests/empirical/test_torch_exp_lambda_sweep.py)


def risks(clean_wrong, robust_wrong, joint_lam: float = 1.0) -> dict:
    """suggala2019's risks of one model from its per-example 0-1 errors on the test points.

    Parameters
    ----------
    clean_wrong : bool array (N,), the model errs on the clean input
    robust_wrong : bool array (N,), the model errs on the clean input or on the attacked one
        (``~evaluate.robust_correctness``; true wherever ``clean_wrong`` is)
    joint_lam : float >= 0, the lambda of the joint risk (4)

    Returns
    -------
    dict of floats: ``clean_error`` R, ``robust_error`` R_rob, ``adversarial_risk`` R_adv = R_rob - R
    (correct points that the attack flips) and ``joint_risk`` R + joint_lam R_adv.

    Raises
    ------
    ValueError : for arrays of different lengths, a robust error missing a clean error, or a bad lambda

    Example
    -------
    >>> risks([True, False, False, False], [True, True, False, False], 0.5)["joint_risk"]
    0.375
    """
    c = np.asarray(clean_wrong, dtype=bool).ravel()
    r = np.asarray(robust_wrong, dtype=bool).ravel()
    if c.shape != r.shape or c.size == 0:
        raise ValueError(f"clean_wrong and robust_wrong must have the same nonzero length, got {c.size}, {r.size}")
    if np.any(c & ~r):
        raise ValueError("a point wrong on its clean input must count as not robust (robust_wrong >= clean_wrong)")
    if not np.isfinite(joint_lam) or joint_lam < 0:
        raise ValueError(f"joint_lam must be a finite number >= 0, got {joint_lam!r}")
    clean, robust = float(c.mean()), float(r.mean())
    return {"clean_error": clean, "robust_error": robust, "adversarial_risk": float((r & ~c).mean()),
            "joint_risk": clean + joint_lam * float((r & ~c).mean())}


def summary(per_seed) -> dict:
    """The mean over seeds with its interval (``theory.montecarlo.mean``) and the per-seed values.

    Example
    -------
    >>> s = summary([0.1, 0.2, 0.3])
    >>> round(s["mean"], 12), s["per_seed"]
    (0.2, [0.1, 0.2, 0.3])
    """
    est = mean(np.asarray(per_seed, dtype=float))
    return {"mean": est.value, "low": est.low, "high": est.high, "per_seed": [float(v) for v in per_seed]}


def paired_difference(per_seed_a, per_seed_b) -> Estimate:
    """mean over seeds of (b - a), the seed-paired difference of a metric between two models.

    Example
    -------
    >>> round(paired_difference([0.5, 0.4], [0.2, 0.2]).value, 12)
    -0.25
    """
    a, b = np.asarray(per_seed_a, dtype=float), np.asarray(per_seed_b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"the two models need the same seeds, got {a.size} and {b.size} values")
    return mean(b - a)


# ----------------------------------------------------------------------------------------------
# training and evaluation


def _name(kind, param, width, seed):
    p = "" if param is None else f"{param:g}"
    return f"{kind}{p}-w{width}-s{seed}"


def _objective(kind, param, steps):
    if kind == "standard":
        return Standard()
    if kind == "madry":
        return Madry(steps=steps)
    if kind == "suggala-lam":
        return Suggala(param, steps=steps)
    if kind == "trades-beta":
        return Trades(param, steps=steps)
    raise ValueError(kind)


def _suggala(lam):
    """Objective (7) at lam: lam = 0 is standard training and lam = 1 Madry's, trained as such."""
    return ("standard", None) if lam == 0 else ("madry", None) if lam == 1 else ("suggala-lam", lam)


class _Models:
    """Trains (or resumes) and evaluates each model once; keyed by objective, width and seed."""

    def __init__(self, ctx: Context, train, test):
        self.ctx, self.train, self.test = ctx, train, test
        self.evaluated: dict[str, dict] = {}

    def attack(self, seed):
        c = self.ctx.config
        if c["attack"] == "auto":
            return attacks.auto_attack(c["eps"], steps=c["attack_steps"], generator=seed)
        if c["attack"] == "pgd":
            return attacks.bind(attacks.pgd, eps=c["eps"], steps=c["attack_steps"], restarts=c["restarts"],
                                generator=seed)
        raise ValueError(f"attack must be 'pgd' or 'auto', got {c['attack']!r}")

    def risks(self, kind, param, width, seed) -> dict:
        name = _name(kind, param, width, seed)
        if name not in self.evaluated:
            c, ctx = self.ctx.config, self.ctx
            model = models.DigitsCNN(classes=10, width=width, generator=seed)
            Trainer(model, self.train, _objective(kind, param, c["train_steps"]), constant(c["eps"]), c["epochs"],
                    optimizer=adam(lr=c["lr"]), batch_size=c["batch_size"], seed=seed,
                    out_dir=ctx.out / f"train-{name}", device=ctx.device, progress=ctx.progress).fit()
            model.eval()
            clean = ~evaluate.robust_correctness(model, self.test.x, self.test.y).numpy()
            robust = ~evaluate.robust_correctness(model, self.test.x, self.test.y, self.attack(seed)).numpy()
            r = risks(clean, robust, c["joint_lam"])
            n = clean.size
            r["intervals"] = {}
            for k in METRICS:
                est = proportion(int(round(r[k] * n)), n)
                r["intervals"][k] = [est.low, est.high]
            r["parameters"] = models.count_parameters(model)
            self.evaluated[name] = r
        return self.evaluated[name]


def _sweep(runs: _Models, specs, width, seeds, metrics) -> dict:
    """For each (kind, param) of ``specs``: the per-seed values and their summary of every metric."""
    out = {m: [] for m in metrics}
    for kind, param in specs:
        vals = [runs.risks(kind, param, width, s) for s in seeds]
        for m in metrics:
            out[m].append(summary([v[m] for v in vals]))
    return out


def _per_seed(block, metric, i):
    return block[metric][i]["per_seed"]


# ----------------------------------------------------------------------------------------------
# the figures


def _curves(ax, x, block, metric, color, marker, name):
    """Mean over seeds with its interval (clipped to the range [0, 1] of an error) and the per-seed dots."""
    mid = np.array([p["mean"] for p in block[metric]])
    lo = np.clip([p["low"] for p in block[metric]], 0.0, 1.0)
    hi = np.clip([p["high"] for p in block[metric]], 0.0, 1.0)
    ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt=marker + "-", color=color, capsize=3, ms=5, label=name)
    for xi, p in zip(x, block[metric], strict=True):
        ax.plot([xi] * len(p["per_seed"]), p["per_seed"], "o", mfc="none", mec=color, alpha=0.6, ms=4, mew=0.8)


def _ticks(ax, grid):
    ax.set_xticks(list(grid))
    ax.set_xticklabels([f"{v:g}" for v in grid])
    ax.minorticks_off()


def plot(report: dict, folder):
    """lambda-sweep.png: robust (top) and clean (bottom) test error against lambda, beta and width, mean
    over seeds with 99.9% intervals and the per-seed values as dots; lambda-sweep-predictions.png: the
    predictions (seed-paired differences) with their intervals."""
    res, c = report["results"], report["config"]
    fig, axes = figure(3, 2, height=7.0, width=15.0)
    lam, beta, cap = res["lambda"], res["beta"], res["capacity"]
    for row, (metric, what) in enumerate((("robust_error", "robust"), ("clean_error", "clean"))):
        ax = axes[row][0]
        _curves(ax, lam["grid"], lam, metric, "tab:blue", "o", f"objective (7), {what} error")
        if metric == "robust_error":
            _curves(ax, lam["grid"], lam, "adversarial_risk", "tab:purple", "s",
                    "adversarial risk R_adv = robust - clean")
        positive = [v for v in lam["grid"] if v > 0]
        ax.set_xscale("symlog", linthresh=min(positive) if positive else 1.0)
        _ticks(ax, lam["grid"])
        label(ax, "lambda of objective (7) (symlog axis)", f"{what} test error",
              f"suggala2019 objective (7), width {lam['width']}: {what} error vs lambda")
        ax = axes[row][1]
        _curves(ax, beta["grid"], beta, metric, "tab:green", "o", f"TRADES, {what} error")
        ax.set_xscale("log")
        _ticks(ax, beta["grid"])
        label(ax, "beta = 1/lambda of TRADES (log axis)", f"{what} test error",
              f"zhang2019 TRADES, width {beta['width']}: {what} error vs beta")
        ax = axes[row][2]
        m = "joint_risk" if metric == "robust_error" else metric
        _curves(ax, cap["widths"], cap["standard"], m, "tab:red", "o",
                "standard training" + (f", joint risk (lambda_J {c['joint_lam']:g})" if row == 0 else ""))
        _curves(ax, cap["widths"], cap["adversarial"], m, "tab:orange", "s",
                "adversarial training (lambda 1)" + (", joint risk" if row == 0 else ""))
        ax.set_xscale("log", base=2)
        _ticks(ax, cap["widths"])
        label(ax, "CNN width (filters of the first layer, log axis)",
              "joint risk R + lambda_J R_adv" if row == 0 else "clean test error",
              "suggala2019 Figs 4-5: " + ("joint risk" if row == 0 else "clean error") + " vs capacity")
    attack = f"PGD {c['attack_steps']} steps x {c['restarts']} restarts" if c["attack"] == "pgd" else \
        f"APGD-CE + APGD-T ({c['attack_steps']} steps)"
    title(fig, f"10-class 8x8 digits, l-inf eps {c['eps']:g}, {len(report['seeds'])} seeds, {c['epochs']} epochs: "
               f"test errors (attack: {attack}) against the trade-off parameter and the capacity; "
               "mean over seeds with 99.9% intervals (clipped to [0, 1]), dots per seed")
    out = [save(fig, folder / "lambda-sweep.png")]
    fig, ax = figure(height=3.6, width=9.0)
    plot_predictions(report, ax)
    label(ax, "seed-paired difference of test error (larger minus smaller lambda / beta / width)", "",
          legend=False)
    ax.axvline(0.0, color="grey", lw=0.8, ls=":")
    title(fig, "lambda-sweep: the papers' directions as differences with 99.9% intervals over seeds")
    out.append(save(fig, folder / "lambda-sweep-predictions.png"))
    return out


# ----------------------------------------------------------------------------------------------
# the experiment


@experiment(
    "lambda-sweep",
    description="10-class digits: clean and robust error of objective (7) as lambda varies and of TRADES as "
                "beta varies (suggala2019 Tables 1-2, zhang2019 Table 4), and standard training's joint risk and "
                "adversarial training's clean error as the CNN widens (suggala2019 Figures 4-5)",
    predictions={
        "suggala.robust-error-falls": "objective (7): the robust test error at the largest lambda of the grid minus "
                                      "that at lambda = 0 (seed-paired mean) is < 0 (suggala2019 sections 6-7)",
        "suggala.adversarial-risk-falls": "objective (7): the adversarial risk R_adv = robust - clean error at the "
                                          "largest lambda minus that at lambda = 0 is < 0 (suggala2019 Tables 1-2)",
        "suggala.clean-error-rises": "objective (7): the clean test error at the largest lambda minus that at "
                                     "lambda = 0 is > 0 (suggala2019 section 7, Figures 2(b), 3)",
        "suggala.regularization": "objective (7): the clean test error at lambda = 1 minus that at lambda = 0 is < 0 "
                                  "(suggala2019 Table 1, section 7.2: adversarial training as regularizer)",
        "trades.robust-error-falls": "TRADES: the robust test error at the largest beta = 1/lambda minus that at the "
                                     "smallest is < 0 (zhang2019 Table 4)",
        "trades.clean-error-rises": "TRADES: the clean test error at the largest beta minus that at the smallest "
                                    "is > 0 (zhang2019 Table 4)",
        "capacity.standard-joint-risk-falls": "standard training: the joint risk R + R_adv (lambda 1) at the largest "
                                              "width minus that at the smallest is < 0 (suggala2019 Figure 4)",
        "capacity.adversarial-clean-error-falls": "adversarial training (lambda 1): the clean test error at the "
                                                  "largest width minus that at the smallest is < 0 (suggala2019 "
                                                  "Figure 5)",
    },
    quick=dict(eps=0.1, lams=[0.0, 1.0, 2.0], betas=[0.1, 1.0, 5.0], widths=[1, 2, 4, 8], sweep_width=8, n_seeds=6,
               epochs=10, train_steps=5, lr=3e-3, batch_size=64, attack="pgd", attack_steps=20, restarts=2,
               joint_lam=1.0),
    full=dict(eps=0.1, lams=[0.0, 0.001, 0.01, 0.1, 1.0, 2.0], betas=[0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 2.0, 3.0, 4.0, 5.0],
              widths=[1, 2, 4, 8, 16, 32, 64], sweep_width=16, n_seeds=10, epochs=30, train_steps=20, lr=1e-3,
              batch_size=64, attack="auto", attack_steps=100, restarts=1, joint_lam=1.0),
    tiny=dict(lams=[0.0, 1.0, 2.0], betas=[0.1, 5.0], widths=[1, 4], sweep_width=4, n_seeds=2, epochs=2,
              train_steps=2, attack_steps=5, restarts=1),
    quick_cost="about 3 min on one CPU core (more under contention)",
    full_cost="several hours on a GPU (about 280 digit CNNs, 30 epochs of 20-step PGD each)",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    lams, betas, widths = [float(v) for v in c["lams"]], [float(v) for v in c["betas"]], [int(w) for w in c["widths"]]
    if 0.0 not in lams or 1.0 not in lams or max(lams) <= 1.0:
        raise ValueError(f"lams must hold 0, 1 and a value above 1, got {lams}")
    if len(betas) < 2 or len(widths) < 2 or c["n_seeds"] < 2:
        raise ValueError("betas and widths need two values at least, n_seeds 2 at least")
    seeds = [ctx.seed + k for k in range(c["n_seeds"])]
    train, test = data.digits("train").to(ctx.device), data.digits("test")
    runs = _Models(ctx, train, test)
    report = ctx.report()
    report.seeds = seeds

    lam_block = {"grid": lams, "width": c["sweep_width"],
                 **_sweep(runs, [_suggala(v) for v in lams], c["sweep_width"], seeds, METRICS)}
    beta_block = {"grid": betas, "width": c["sweep_width"],
                  **_sweep(runs, [("trades-beta", b) for b in betas], c["sweep_width"], seeds, METRICS)}
    cap_metrics = METRICS + ("joint_risk",)
    cap = {"widths": widths, "parameters": [], "standard": {m: [] for m in cap_metrics},
           "adversarial": {m: [] for m in cap_metrics}}
    for w in widths:
        for key, kind in (("standard", "standard"), ("adversarial", "madry")):
            block = _sweep(runs, [(kind, None)], w, seeds, cap_metrics)
            for m in cap_metrics:
                cap[key][m] += block[m]
        cap["parameters"].append(runs.risks("standard", None, w, seeds[0])["parameters"])

    i0, i1, imax = lams.index(0.0), lams.index(1.0), lams.index(max(lams))
    for key, metric, a, b, rel in (("robust-error-falls", "robust_error", i0, imax, "<"),
                                   ("adversarial-risk-falls", "adversarial_risk", i0, imax, "<"),
                                   ("clean-error-rises", "clean_error", i0, imax, ">"),
                                   ("regularization", "clean_error", i0, i1, "<")):
        ctx.predict(report, f"suggala.{key}", 0.0,
                    paired_difference(_per_seed(lam_block, metric, a), _per_seed(lam_block, metric, b)), relation=rel)
    bmin, bmax = betas.index(min(betas)), betas.index(max(betas))
    for key, metric, rel in (("robust-error-falls", "robust_error", "<"), ("clean-error-rises", "clean_error", ">")):
        ctx.predict(report, f"trades.{key}", 0.0,
                    paired_difference(_per_seed(beta_block, metric, bmin), _per_seed(beta_block, metric, bmax)),
                    relation=rel)
    wmin, wmax = widths.index(min(widths)), widths.index(max(widths))
    ctx.predict(report, "capacity.standard-joint-risk-falls", 0.0,
                paired_difference(_per_seed(cap["standard"], "joint_risk", wmin),
                                  _per_seed(cap["standard"], "joint_risk", wmax)), relation="<")
    ctx.predict(report, "capacity.adversarial-clean-error-falls", 0.0,
                paired_difference(_per_seed(cap["adversarial"], "clean_error", wmin),
                                  _per_seed(cap["adversarial"], "clean_error", wmax)), relation="<")

    report.results["lambda"] = lam_block
    report.results["beta"] = beta_block
    report.results["capacity"] = cap
    report.results["models"] = {k: {m: [v[m], *v["intervals"][m]] for m in METRICS} | {"parameters": v["parameters"]}
                                for k, v in runs.evaluated.items()}
    report.results["test_points"] = len(test)
    return report
