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

The l0 case (shaeiri2020 Theorem 4, corrected in ``theory.bernoulli``): the adversary changes the sign
of up to ``eps`` coordinates of x in {-1, 1}^d. Both models are trained with Madry's objective whose
inner maximum is :func:`empirical.attacks.flip_attack` (:class:`FlipMadry`) and evaluated with the same attack on fresh
samples. Prediction ``<model>.l0-<e>.floor``: the measured robust error is >= the optimal l0 robust
error ``bernoulli.optimal_robust_error(k, t, e, norm=0)`` (0.3673 at one flip and 1/2, the constant
classifier, from two flips on, for k = 10, t = 0.15). The attack is exact for the linear model and
greedy (a lower bound of the robust error) for the network, so for the network a measurement below
the floor would prove the greedy attack too weak.
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical._core import eval_mode, loss_per_example
from empirical.experiments import Context, experiment
from empirical.objectives import Madry, Objective, ObjectiveOutput
from empirical.train import Trainer, constant, sgd
from theory import bernoulli
from theory.figures import figure, label, save

EPS = (0.5, 0.9, 1.0)
L0 = (1, 2)
MODELS = ("linear", "mlp")


class FlipMadry(Objective):
    """Madry's objective against the l0 adversary of the Bernoulli model: the mean loss at
    :func:`empirical.attacks.flip_attack`'s points, ``eps`` (the trainer's schedule) the number of sign changes.

    Examples
    --------
    >>> import torch
    >>> from empirical.models import Linear
    >>> model = Linear.from_theory([3.0, 1.0, 1.0], b=0.5)
    >>> round(FlipMadry()(model, torch.ones(1, 3), torch.ones(1), eps=1).item(), 4)  # softplus(0.5)
    0.9741
    """

    name = "flip-madry"

    def _params(self):
        return {}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        target = model if attack_model is None else attack_model
        with eval_mode(target):
            x_adv = attacks.flip_attack(target, x, y, flips=int(round(float(eps))))
        logits = model(x_adv)
        return ObjectiveOutput(loss_per_example(logits, y).mean(), None, logits, x_adv)


def plot(report: dict, folder):
    """bernoulli-limits.png: the measured robust error of each model against eps beside the optimum, l-inf
    (Theorem 5) and l0 (Theorem 4, corrected)."""
    res, c = report["results"], report["config"]
    preds = {p["id"].removeprefix("experiments.bernoulli-limits."): p for p in report["predictions"]}
    fig, (ax, ax0) = figure(2, height=4.2, width=12.0)
    eps = sorted(float(e) for e in res["optimum"])
    grid = [0.0, *[e for e in eps if e < 1.0], 1.0 - 1e-9, 1.0, *[e for e in eps if e > 1.0]]
    opt = [res["bayes_error"] if e < 1.0 else 0.5 for e in grid]
    ax.plot(grid, opt, "k-", lw=2, label="optimal robust error (Theorem 5)")
    flips = sorted(int(e) for e in res.get("optimum_l0", {}))
    if flips:
        steps = list(range(0, max(flips) + 2))
        ax0.step(steps, [res["bayes_error"] if e == 0 else res["optimum_l0"].get(str(e), 0.5) for e in steps],
                 "k-", where="post", lw=2, label="optimal l0 robust error (Theorem 4, corrected)")
    for name, color, dx in (("linear", "tab:blue", -0.01), ("mlp", "tab:orange", 0.01)):
        for axis, keys, xs, shift in ((ax, [f"{name}.eps{e:g}.floor" for e in eps], eps, dx),
                                      (ax0, [f"{name}.l0-{e}.floor" for e in flips], flips, 8 * dx)):
            rows = [(x, preds[k]) for x, k in zip(xs, keys, strict=True) if k in preds]
            if rows:
                axis.errorbar([x + shift for x, _ in rows], [r["measured"] for _, r in rows],
                              yerr=[[r["measured"] - r["interval"][0] for _, r in rows],
                                    [r["interval"][1] - r["measured"] for _, r in rows]],
                              fmt="o", color=color, capsize=3, label=f"{name}: measured robust error")
    where = f"Bernoulli model (d = {c['d']}, k = {c['k']}, t = {c['t']:g})"
    label(ax, "l-inf radius eps", "robust 0-1 error on fresh samples",
          f"{where}, l-inf: adversarial training against the optimum")
    ax.set_ylim(0, 1.05)
    label(ax0, "l0 budget: coordinates whose sign the adversary changes", "robust 0-1 error on fresh samples",
          f"{where}, l0: training against greedy sign changes")
    ax0.set_ylim(0, 1.05)
    if flips:
        ax0.set_xticks(steps)
    return [save(fig, folder / "bernoulli-limits.png")]


@experiment(
    "bernoulli-limits",
    description="adversarial training on the Bernoulli model (l-inf) against shaeiri2020 Theorem 5: the "
                "Bayes error for eps < 1, chance from eps = 1",
    predictions={**{f"{m}.eps{e:g}.floor": f"{m}, l-inf eps {e:g}: robust error >= bernoulli.optimal_robust_error "
                    "(Theorem 5)" for m in MODELS for e in EPS},
                 **{f"{m}.l0-{e}.floor": f"{m}, l0 adversary changing {e} coordinate(s): robust error >= "
                    "bernoulli.optimal_robust_error(norm=0) (Theorem 4, corrected)" for m in MODELS for e in L0}},
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
    optimum_l0 = {}
    for e in L0:
        optimum_l0[str(e)] = float(bernoulli.optimal_robust_error(c["k"], c["t"], e, norm=0)[0])
        attack = attacks.bind(attacks.flip_attack, flips=e)
        for name in MODELS:
            model = models.Linear(c["d"], generator=ctx.seed) if name == "linear" else \
                models.one_hidden(c["d"], c["width"], generator=ctx.seed)
            Trainer(model, train, FlipMadry(), constant(float(e)), c["epochs"], optimizer=sgd(lr=0.01, momentum=0.0),
                    batch_size=c["batch_size"], seed=ctx.seed, out_dir=ctx.out / f"train-{name}-l0-{e}",
                    device=ctx.device, progress=ctx.progress).fit()
            model.eval()
            measured = evaluate.robust_error(model, test.x, test.y, attack)
            key = f"{name}.l0-{e}.floor"
            gaps[key] = measured.value - optimum_l0[str(e)]
            ctx.predict(report, key, optimum_l0[str(e)], measured, relation=">=")
    report.results["optimum"] = optimum
    report.results["optimum_l0"] = optimum_l0
    report.results["bayes_error"] = float(bernoulli.bayes_error(c["k"], c["t"]))
    report.results["gaps"] = gaps
    return report
