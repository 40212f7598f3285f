"""gaussian-linear: adversarially trained linear classifiers on a Gaussian mixture against the closed forms.

x | y ~ N(y theta, I) in d dimensions, P(y = +-1) = 1/2, theta_i = 0.6 * 0.8^i. For each threat model
(l-inf and l2) a bias-free single-logit linear model is trained with Madry's PGD objective
(the theory's risks are for sign(w.x), no bias), then evaluated on fresh samples under the exact
worst case of a linear model in the ball (``attacks.linear_worst_case``). Predictions:

- ``<norm>.risk-at-learned-weights``: the measured robust error equals
  ``theory.gaussian.adversarial_risk(w, theta, eps)`` at the learned weights w (suggala2019
  Theorem 1.2 and its lp form);
- ``<norm>.above-optimum``: it is not below ``theory.gaussian.optimal_robust_risk`` (shaeiri2020
  Theorem 2, corrected and extended to lp in this package), the smallest robust error of any
  classifier.
"""

from __future__ import annotations

import numpy as np

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.report import plot_predictions
from empirical.train import Trainer, constant, sgd
from theory import gaussian
from theory.distributions import GaussianMixture
from theory.figures import figure, label, save, title

NORMS = ("linf", "l2")
_THEORY_NORM = {"linf": np.inf, "l2": 2.0}


def plot(report: dict, folder):
    """gaussian-linear.png: each prediction's closed form against the measured robust error."""
    fig, ax = figure(height=3.2)
    plot_predictions(report, ax)
    c = report["config"]
    label(ax, "robust 0-1 error on fresh samples", "", legend=False)
    title(fig, f"Gaussian mixture, d = {c['d']}: measured robust error of trained linear models (eps "
          f"{c['eps_linf']:g} l-inf, {c['eps_l2']:g} l2) against the closed forms")
    return [save(fig, folder / "gaussian-linear.png")]


@experiment(
    "gaussian-linear",
    description="adversarially trained linear classifiers on a Gaussian mixture: measured robust error "
                "against adversarial_risk at the learned weights and against the optimal robust risk",
    predictions={
        **{f"{n}.risk-at-learned-weights": f"{n}: the robust error of the trained sign(w.x) equals "
           "gaussian.adversarial_risk(w, theta, eps)" for n in NORMS},
        **{f"{n}.above-optimum": f"{n}: the robust error of the trained classifier is >= "
           "gaussian.optimal_robust_risk(theta, -theta, eps), the best of all classifiers" for n in NORMS},
    },
    quick=dict(d=10, n_train=4000, n_test=100_000, epochs=8, steps=10, eps_linf=0.1, eps_l2=0.5, batch_size=128),
    full=dict(d=100, n_train=50_000, n_test=2_000_000, epochs=30, steps=20, eps_linf=0.05, eps_l2=0.5,
              batch_size=256),
    tiny=dict(d=5, n_train=1000, n_test=20_000, epochs=3, steps=5),
    quick_cost="about 20 s on a 2-core CPU", full_cost="a few minutes on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    theta = 0.6 * 0.8 ** np.arange(c["d"])
    mixture = GaussianMixture(theta)
    train = data.from_distribution(mixture, c["n_train"], seed=ctx.seed).to(ctx.device)
    test = data.from_distribution(mixture, c["n_test"], seed=ctx.seed + 1).to(ctx.device)
    report = ctx.report()
    for norm in NORMS:
        eps = float(c[f"eps_{norm}"])
        model = models.Linear(c["d"], bias=False, generator=ctx.seed)
        Trainer(model, train, Madry(steps=c["steps"], norm=norm, domain=None), constant(eps), c["epochs"],
                optimizer=sgd(lr=0.05, momentum=0.9), batch_size=c["batch_size"], seed=ctx.seed,
                out_dir=ctx.out / f"train-{norm}", device=ctx.device, progress=ctx.progress).fit()
        model.eval()
        w, _ = model.theory_weights()
        measured = evaluate.robust_error(model, test.x, test.y,
                                         attacks.bind(attacks.linear_worst_case, eps=eps, norm=norm))
        p = _THEORY_NORM[norm]
        ctx.predict(report, f"{norm}.risk-at-learned-weights", float(gaussian.adversarial_risk(w, theta, eps, norm=p)),
                    measured)
        ctx.predict(report, f"{norm}.above-optimum", float(gaussian.optimal_robust_risk(theta, -theta, eps, norm=p)),
                    measured, relation=">=")
    return report
