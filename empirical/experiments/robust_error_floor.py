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
floors and gaps are also recorded in the report's config (``floors``, ``gaps``).
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.train import Trainer, constant, sgd
from theory import hardness

PAIRS = {"5v7": (5, 7), "1v3": (1, 3)}
EPS_GRID = (0.1, 0.3, 0.4, 0.45, 0.5)
TRAIN_EPS = (0.1, 0.3)


def _key(pair, e, t):
    return f"{pair}.eps{e:g}.model{t:g}"


@experiment(
    "robust-error-floor",
    description="the exact optimal robust error of the digit pairs (a min cut) as a floor under the robust "
                "training error that the strongest attack measures on adversarially trained CNNs",
    predictions={_key(p, e, t): f"digits {p}, l-inf eps {e:g}: the robust training error of the CNN trained at "
                 f"eps {t:g} is >= hardness.optimal_robust_error of the sample"
                 for p in PAIRS for e in EPS_GRID for t in TRAIN_EPS},
    quick=dict(epochs=15, steps=7, attack_steps=50, width=8, batch_size=64),
    full=dict(epochs=60, steps=10, attack_steps=100, width=32, batch_size=64),
    quick_cost="about 2 min on a 2-core CPU", full_cost="minutes on a GPU",
)
def run(ctx: Context):
    c = ctx.config
    report = ctx.report()
    floors, gaps = {}, {}
    for pair, classes in PAIRS.items():
        train = data.digits("train", classes=classes).to(ctx.device)
        flat = train.flat().x.double().cpu().numpy()
        lab = (train.y.cpu().numpy() > 0).astype(int)
        floors[pair] = {f"{e:g}": hardness.optimal_robust_error(flat, lab, None, e, norm=np.inf) for e in EPS_GRID}
        for t in TRAIN_EPS:
            model = models.DigitsCNN(classes=1, width=c["width"], generator=ctx.seed)
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
    report.config["floors"] = floors
    report.config["gaps"] = gaps
    return report
