"""bernoulli-limits: adversarial training on shaeiri2020's Bernoulli model against its optimal robust error.

The model (shaeiri2020 Definition 7, ``theory.bernoulli.BernoulliModel``): x in {-1, 1}^d, the k
coordinates where the class centres differ carry the signal, each agreeing with the label's centre
with probability 1/2 + t. shaeiri2020 Theorem 5: against an l-inf adversary the optimal robust
error is the Bayes error for eps < 1 (a perturbation below 1 cannot change a coordinate's sign) and
1/2 from eps = 1 on (``theory.bernoulli.optimal_robust_error``). A linear single-logit model and a
one-hidden-layer ReLU network are trained with Madry's PGD objective at each eps and evaluated on
fresh samples (the exact linear worst case for the linear model, PGD-20 with 3 restarts for the
network). Prediction ``<model>.eps<e>.floor``: the measured robust error is >= the optimum; a
measurement below it would prove the attack too weak. The gap to the optimum is recorded in the
report's results: how far each model class is from the best classifier (which thresholds sign(x)
coordinate-wise, something a linear model cannot do).
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.train import Trainer, constant, sgd
from theory import bernoulli
from theory.figures import figure, label, save

EPS = (0.5, 0.9, 1.0)
MODELS = ("linear", "mlp")


def plot(report: dict, folder):
    """bernoulli-limits.png: the measured robust error of each model against eps beside Theorem 5's optimum."""
    res, c = report["results"], report["config"]
    preds = {p["id"].removeprefix("experiments.bernoulli-limits."): p for p in report["predictions"]}
    fig, ax = figure(height=4.0)
    eps = sorted(float(e) for e in res["optimum"])
    grid = [0.0, *[e for e in eps if e < 1.0], 1.0 - 1e-9, 1.0, *[e for e in eps if e > 1.0]]
    opt = [res["bayes_error"] if e < 1.0 else 0.5 for e in grid]
    ax.plot(grid, opt, "k-", lw=2, label="optimal robust error (Theorem 5)")
    for name, color, dx in (("linear", "tab:blue", -0.01), ("mlp", "tab:orange", 0.01)):
        rows = [(e, preds[f"{name}.eps{e:g}.floor"]) for e in eps if f"{name}.eps{e:g}.floor" in preds]
        ax.errorbar([e + dx for e, _ in rows], [r["measured"] for _, r in rows],
                    yerr=[[r["measured"] - r["interval"][0] for _, r in rows],
                          [r["interval"][1] - r["measured"] for _, r in rows]],
                    fmt="o", color=color, capsize=3, label=f"{name}: measured robust error")
    label(ax, "l-inf radius eps", "robust 0-1 error on fresh samples",
          f"Bernoulli model (d = {c['d']}, k = {c['k']}, t = {c['t']:g}): adversarial training against "
          "the optimum")
    return [save(fig, folder / "bernoulli-limits.png")]


@experiment(
    "bernoulli-limits",
    description="adversarial training on the Bernoulli model (l-inf) against shaeiri2020 Theorem 5: the "
                "Bayes error for eps < 1, chance from eps = 1",
    predictions={f"{m}.eps{e:g}.floor": f"{m}, l-inf eps {e:g}: robust error >= bernoulli.optimal_robust_error "
                 "(Theorem 5)" for m in MODELS for e in EPS},
    quick=dict(d=20, k=10, t=0.15, n_train=5000, n_test=50_000, epochs=6, steps=7, width=64, batch_size=128),
    full=dict(d=200, k=100, t=0.05, n_train=100_000, n_test=1_000_000, epochs=30, steps=10, width=512,
              batch_size=256),
    tiny=dict(d=8, k=4, n_train=1000, n_test=10_000, epochs=1, steps=2, width=8),
    quick_cost="about 1 min on a 2-core CPU", full_cost="minutes on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    theta_pos = np.ones(c["d"])
    theta_neg = theta_pos.copy()
    theta_neg[: c["k"]] = -1
    dist = bernoulli.BernoulliModel(theta_pos, theta_neg, c["t"])
    train = data.from_distribution(dist, c["n_train"], seed=ctx.seed).to(ctx.device)
    test = data.from_distribution(dist, c["n_test"], seed=ctx.seed + 1).to(ctx.device)
    report = ctx.report()
    optimum, gaps = {}, {}
    for e in EPS:
        optimum[f"{e:g}"] = float(bernoulli.optimal_robust_error(c["k"], c["t"], e, norm=np.inf)[0])
        for name in MODELS:
            if name == "linear":
                model = models.Linear(c["d"], generator=ctx.seed)
                attack = attacks.bind(attacks.linear_worst_case, eps=e, norm="linf")
            else:
                model = models.one_hidden(c["d"], c["width"], generator=ctx.seed)
                attack = attacks.bind(attacks.pgd, eps=e, steps=20, restarts=3, generator=ctx.seed, domain=None)
            Trainer(model, train, Madry(steps=c["steps"], domain=None), constant(e), c["epochs"],
                    optimizer=sgd(lr=0.01, momentum=0.0), batch_size=c["batch_size"], seed=ctx.seed,
                    out_dir=ctx.out / f"train-{name}-eps{e:g}", device=ctx.device, progress=ctx.progress).fit()
            model.eval()
            measured = evaluate.robust_error(model, test.x, test.y, attack)
            key = f"{name}.eps{e:g}.floor"
            gaps[key] = measured.value - optimum[f"{e:g}"]
            ctx.predict(report, key, optimum[f"{e:g}"], measured, relation=">=")
    report.results["optimum"] = optimum
    report.results["bayes_error"] = float(bernoulli.bayes_error(c["k"], c["t"]))
    report.results["gaps"] = gaps
    return report
