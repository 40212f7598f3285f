"""robust-error-floor: no classifier's robust error on a sample is below the sample's optimal robust error.

For a finite sample the smallest robust 0-1 error over *all* classifiers is computed exactly by
``theory.hardness.optimal_robust_error`` (a minimum cut on the conflict graph for two classes;
shaeiri2020 Definitions 4-5). For the binary digit pairs 5 vs 7 (tsipras2019) and 1 vs 3
(zhang2019), small CNNs are adversarially trained (Madry PGD, l-inf) at a few radii and their
robust training error is measured at every radius of a grid with the strongest attack of the
engine (``attacks.auto_attack``: APGD-CE and targeted APGD with the margin loss, since the models
have one logit). Prediction ``<pair>.eps<e>.model<t>``: the measured robust error is >= the floor.
A measurement below the floor would prove the *attack* too weak (an evaluation failure, not a
failure of the theory); the gap above it shows how far training is from the best possible. The
floors and gaps are also recorded in the report's results (``floors``, ``gaps``).

The 10-class digits (``10class``, all ten digits, 1,347 training images): the exact optimum over
deterministic classifiers (``hardness.optimal_robust_error``, a maximum weight independent set) up to
``exact_max_eps`` (0.4: under a second per radius; at 0.45 it took 169 s on the 2-core development
machine), and above it the lower end of ``hardness.multiclass_robust_error_bounds`` (the linear
program over the conflict hypergraph, truncated; a lower bound for randomized classifiers, so also
for deterministic ones). ``results["floor_kind"]`` says which one each floor is. Prediction
``10class.eps<e>.model<t>`` as for the pairs, for a 10-logit CNN attacked with APGD-CE and APGD-T.
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.train import Trainer, constant, sgd
from theory import hardness
from theory.figures import figure, label, save, title

PAIRS = {"5v7": (5, 7), "1v3": (1, 3)}
MULTI = "10class"
EPS_GRID = (0.1, 0.3, 0.4, 0.45, 0.5)
TRAIN_EPS = (0.1, 0.3)


def _key(pair, e, t):
    return f"{pair}.eps{e:g}.model{t:g}"


def plot(report: dict, folder):
    """robust-error-floor.png: per digit pair, the exact floor and each model's measured robust error against eps."""
    preds = {p["id"].removeprefix("experiments.robust-error-floor."): p for p in report["predictions"]}
    floors = report["results"]["floors"]
    fig, axes = figure(len(floors), height=4.0, sharey=True)
    for ax, (pair, floor) in zip(list(getattr(axes, "flat", [axes])), floors.items(), strict=True):
        eps = sorted(float(e) for e in floor)
        ax.plot(eps, [floor[f"{e:g}"] for e in eps], "k-", lw=2,
                label="floor: optimal robust error" + (" (exact, then LP bound)" if pair == MULTI else " (min cut)"))
        for t, color in zip(TRAIN_EPS, ("tab:blue", "tab:orange"), strict=False):
            rows = [preds[_key(pair, e, t)] for e in eps if _key(pair, e, t) in preds]
            if not rows:
                continue
            m = [r["measured"] for r in rows]
            lo = [r["measured"] - r["interval"][0] for r in rows]
            hi = [r["interval"][1] - r["measured"] for r in rows]
            ax.errorbar(eps[:len(rows)], m, yerr=[lo, hi], fmt="o--", color=color, capsize=3,
                        label=f"CNN trained at eps {t:g}: robust training error")
        label(ax, "l-inf radius eps (pixels in [0, 1])", "robust 0-1 error on the training sample",
              "the 10-class digits (floor above eps 0.4: LP lower bound)" if pair == MULTI else
              f"digits {pair.replace('v', ' vs ')}", legend=False)
        ax.set_ylim(0, 1.45)  # room above the data for the legend
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.legend(loc="upper left", fontsize=8)
    title(fig, "The exact optimal robust error of the sample is a floor under every classifier's robust error")
    return [save(fig, folder / "robust-error-floor.png")]


def _floor_10class(flat, lab, e, exact_max_eps):
    """(floor, kind) of the 10-class sample at radius e: exact up to exact_max_eps, else the LP lower bound."""
    if e <= exact_max_eps:
        return float(hardness.optimal_robust_error(flat, lab, None, e, norm=np.inf)), "exact"
    bounds = hardness.multiclass_robust_error_bounds(flat, lab, None, e, norm=np.inf, exact=False)
    return max(float(bounds.lower), 0.0), "lp-lower-bound"


@experiment(
    "robust-error-floor",
    description="the exact optimal robust error of the digit pairs (a min cut) as a floor under the robust "
                "training error that the strongest attack measures on adversarially trained CNNs",
    predictions={_key(p, e, t): f"digits {p}, l-inf eps {e:g}: the robust training error of the CNN trained at "
                 f"eps {t:g} is >= hardness.optimal_robust_error of the sample"
                 for p in [*PAIRS, MULTI] for e in EPS_GRID for t in TRAIN_EPS},
    quick=dict(epochs=15, steps=7, attack_steps=50, width=8, batch_size=64, exact_max_eps=0.4),
    full=dict(epochs=60, steps=10, attack_steps=100, width=32, batch_size=64, exact_max_eps=0.45),
    tiny=dict(epochs=1, steps=2, attack_steps=5, width=4),
    quick_cost="about 2 min on a 2-core CPU", full_cost="minutes on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    report = ctx.report()
    floors, gaps, kinds = {}, {}, {}
    for pair in [*PAIRS, MULTI]:
        multi = pair == MULTI
        train = data.digits("train", classes=None if multi else PAIRS[pair]).to(ctx.device)
        flat = train.flat().x.double().cpu().numpy()
        if multi:
            lab = train.y.cpu().numpy()
            found = {f"{e:g}": _floor_10class(flat, lab, e, c["exact_max_eps"]) for e in EPS_GRID}
            floors[pair] = {k: v[0] for k, v in found.items()}
            kinds[pair] = {k: v[1] for k, v in found.items()}
        else:
            lab = (train.y.cpu().numpy() > 0).astype(int)
            floors[pair] = {f"{e:g}": hardness.optimal_robust_error(flat, lab, None, e, norm=np.inf) for e in EPS_GRID}
            kinds[pair] = {f"{e:g}": "exact" for e in EPS_GRID}
        for t in TRAIN_EPS:
            model = models.DigitsCNN(classes=10 if multi else 1, width=c["width"], generator=ctx.seed)
            Trainer(model, train, Madry(steps=c["steps"]), constant(t), c["epochs"],
                    optimizer=sgd(lr=0.05, momentum=0.9), batch_size=c["batch_size"], seed=ctx.seed,
                    out_dir=ctx.out / f"train-{pair}-eps{t:g}", device=ctx.device, progress=ctx.progress).fit()
            model.eval()
            for e in EPS_GRID:
                attack = attacks.auto_attack(e, steps=c["attack_steps"], generator=ctx.seed)
                measured = evaluate.robust_error(model, train.x, train.y, attack)
                floor = floors[pair][f"{e:g}"]
                gaps[_key(pair, e, t)] = measured.value - floor
                ctx.predict(report, _key(pair, e, t), floor, measured, relation=">=")
    report.results["floors"] = floors
    report.results["floor_kind"] = kinds
    report.results["gaps"] = gaps
    return report
