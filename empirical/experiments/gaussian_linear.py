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
  classifier;
- ``<norm>.optimal-linear``: the optimal linear robust classifier w* =
  theta - proj_{B_p(eps)}(theta) (``theory.gaussian.optimal_linear_robust_classifier``), put into
  a model and attacked on the same test points, has the robust error the closed form gives;
  the trained model's gap above it is recorded in the results.
- ``cor4.risk-at-learned-weights`` / ``cor4.as-printed``: suggala2019 Corollary 4's
  low-dimensional mixture (noise only on the s = 2 support coordinates of theta*, ||theta*|| = 2,
  p - s off-support coordinates, eps = 2 ||theta*||^2 / sqrt(p - s), l-inf). A bias-free linear
  model initialised from N(0, I / sqrt(p - s)) as printed is trained by gradient descent on the
  logistic loss (standard training: off the support the inputs are 0, so those weights keep
  their initial values). Its base-relative adversarial risk (suggala2019 Definition 2), measured
  by the per-sample primal adversary ``theory.reference.flippable`` on fresh samples, equals
  ``theory.gaussian.base_relative_adversarial_risk`` at the learned weights; and, as the
  Corollary states, it is >= 0.95.
"""

from __future__ import annotations

import numpy as np
import torch

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry, Standard
from empirical.report import plot_predictions
from empirical.train import Trainer, constant, sgd
from theory import gaussian
from theory import reference as ref
from theory.distributions import GaussianMixture
from theory.figures import figure, label, save, title
from theory.montecarlo import proportion

NORMS = ("linf", "l2")
_THEORY_NORM = {"linf": np.inf, "l2": 2.0}


def plot(report: dict, folder):
    """gaussian-linear.png: each prediction's closed form against the measured robust error."""
    fig, ax = figure(height=4.2)
    plot_predictions(report, ax)
    c = report["config"]
    label(ax, "robust 0-1 error on fresh samples (base-relative for cor4)", "", legend=False)
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
        **{f"{n}.optimal-linear": f"{n}: the measured robust error of the optimal linear robust classifier "
           "equals its closed-form risk (optimal_linear_robust_classifier)" for n in NORMS},
        "cor4.risk-at-learned-weights": "Corollary 4's mixture: the measured base-relative adversarial risk of the "
                                        "GD-trained classifier equals base_relative_adversarial_risk at its weights",
        "cor4.as-printed": "Corollary 4 as printed: the GD-trained classifier's base-relative adversarial risk "
                           "is >= 0.95",
    },
    quick=dict(d=10, n_train=4000, n_test=100_000, epochs=8, steps=10, eps_linf=0.1, eps_l2=0.5, batch_size=128,
               cor4_off_support=100, cor4_n_test=20_000),
    full=dict(d=100, n_train=50_000, n_test=2_000_000, epochs=30, steps=20, eps_linf=0.05, eps_l2=0.5,
              batch_size=256, cor4_off_support=1000, cor4_n_test=200_000),
    tiny=dict(d=5, n_train=1000, n_test=20_000, epochs=3, steps=5, cor4_n_test=2000),
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
        w_star, risk_star = gaussian.optimal_linear_robust_classifier(theta, eps, norm=p)
        best = models.Linear.from_theory(w_star).to(ctx.device).eval()
        best_measured = evaluate.robust_error(best, test.x, test.y,
                                              attacks.bind(attacks.linear_worst_case, eps=eps, norm=norm))
        ctx.predict(report, f"{norm}.optimal-linear", float(risk_star), best_measured)
        report.results.setdefault("gap_to_optimal_linear", {})[norm] = measured.value - best_measured.value
    _corollary4(ctx, report)
    return report


def _corollary4(ctx: Context, report) -> None:
    """suggala2019 Corollary 4: GD from the printed random start on the low-dimensional mixture."""
    c = ctx.config
    s, q = 2, int(c["cor4_off_support"])
    theta = np.zeros(s + q)
    theta[:s] = 2.0 / np.sqrt(s)  # ||theta*|| = 2
    eps = 2 * float(theta @ theta) / np.sqrt(q)
    rng = np.random.default_rng([ctx.seed, 4])

    def sample(n):
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
        x = np.zeros((n, s + q))
        x[:, :s] = y[:, None] * theta[:s] + rng.normal(size=(n, s))
        return x, y

    x, y = sample(c["n_train"])
    train = data.TensorData(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32), 2,
                            "corollary-4 mixture").to(ctx.device)
    init = rng.normal(0.0, q ** -0.25, size=s + q)  # N(0, I / sqrt(p - s)), as printed
    model = models.Linear.from_theory(init)
    Trainer(model, train, Standard(), constant(0.0), c["epochs"], optimizer=sgd(lr=0.05, momentum=0.9),
            batch_size=c["batch_size"], seed=ctx.seed, out_dir=ctx.out / "train-cor4", device=ctx.device,
            progress=ctx.progress).fit()
    w, _ = model.eval().theory_weights()
    support = np.arange(s + q) < s
    exact = float(gaussian.base_relative_adversarial_risk(w, theta, eps, support=support))
    xt, _ = sample(c["cor4_n_test"])
    flips = ref.flippable(xt, w, theta, eps, norm=np.inf)
    measured = proportion(int(flips.sum()), len(flips))
    ctx.predict(report, "cor4.risk-at-learned-weights", exact, measured)
    ctx.predict(report, "cor4.as-printed", 0.95, measured, relation=">=")
    report.results["cor4"] = {"p_minus_s": q, "eps": eps, "w_support": w[:s].tolist(),
                              "off_support_moved": float(np.abs(w[s:] - init[s:]).max()), "exact": exact}
