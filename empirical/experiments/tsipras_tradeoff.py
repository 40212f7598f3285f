"""tsipras-tradeoff: linear models on the Tsipras distribution, standard against adversarial training.

tsipras2019 eq. (3): y uniform on {-1, 1}, x1 = y w.p. p (0.7) and -y otherwise, x2..x_{d+1} i.i.d.
N(eta y, 1), drawn by ``theory.tradeoff.TsiprasDistribution``; the adversary is l-inf with
eps = 2 eta (tsipras2019 section 2.1). Single-logit linear models (with bias) are trained
standardly, with Madry's PGD objective, with suggala2019's objective (7) for several lambda and
with TRADES for several beta; each is evaluated on fresh samples, clean and under the exact
worst case of a linear model (``attacks.linear_worst_case``). Predictions:

- ``standard.accuracy`` / ``adversarial.robust-accuracy``: the measured accuracies equal
  ``theory.tradeoff.linear_accuracy(w, b, eta, p, eps)`` at the learned weights (eq. (4) and the
  Hoelder worst case);
- ``<objective>.bound``: for every trained model, robust accuracy <= the bound of Theorem 2.1 at
  its standard accuracy (``theory.tradeoff.robust_accuracy_upper_bound``, taken at the least
  favourable standard accuracy of its interval);

- ``svm-<standard|adversarial>.<robust-weight|accuracy|robust-accuracy>``: tsipras2019 Theorem 2.2
  is about the soft-margin SVM of unit l2 norm (hinge loss, no bias), whose population minimiser is
  ``theory.tradeoff.population_svm``: with standard training it spreads its weight over the
  non-robust features (w1 = 0.14 at these settings), adversarially trained at eps = 2 eta it puts
  all of it on the robust feature (w1 = 1). On each of ``svm_seeds`` independent training samples
  the empirical unit-norm SVM is computed (projected subgradient descent on the sphere of the
  empirical hinge loss; the adversarial loss of a linear model is exact: 1 - y w.x + eps ||w||_1);
  the mean over samples of its robust weight w1 and of its exact standard / robust accuracies
  (``linear_accuracy`` at the learned weights) equals the population SVM's (Student-t interval
  over the samples; ``slack`` 2e-3 for the optimiser's tolerance).

The share |w1| / ||w||_1 of each logistic model's weight on the robust feature is recorded in the
report's results (``robust_weight_share``) but is not a prediction: the logistic robust loss trained
for the sweep behaves differently from the SVM: at eps = 2 eta the flipped robust feature (x1 = -y
w.p. 0.3) costs more than it earns, and adversarial training drives w towards 0 (measured in
development: ||w_{2..}||_1 from 3.4 to 0.16, robust accuracy far below the 0.7 of sign(x1)).
The figure draws every trained model's (standard, robust) accuracy over Theorem 2.1's bound and
the exact frontier of the unbiased linear classifiers (``linear_tradeoff_pairs``).
"""

from __future__ import annotations

import numpy as np
import torch

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry, Standard, Suggala, Trades
from empirical.train import Trainer, constant, sgd
from theory import tradeoff
from theory.figures import figure, label, save, title
from theory.montecarlo import mean

LAMS = (0.25, 0.5, 0.75)
BETAS = (1.0, 6.0)


def _objectives(steps):
    out = [("standard", Standard()), ("adversarial", Madry(steps=steps, domain=None))]
    out += [(f"suggala-lam{lam}", Suggala(lam, steps=steps, domain=None)) for lam in LAMS]
    out += [(f"trades-beta{beta:g}", Trades(beta, steps=steps, domain=None)) for beta in BETAS]
    return out


SVM_KINDS = ("standard", "adversarial")
SVM_QUANTITIES = ("robust-weight", "accuracy", "robust-accuracy")


def unit_norm_svm(x, y, eps: float, *, steps: int = 600, generator=None) -> np.ndarray:
    """The unit-l2-norm w (no bias) minimising the empirical hinge loss mean(max(0, 1 - y w.x + eps ||w||_1)).

    The loss is convex but the sphere is not, and projected subgradient descent from one random
    start stalls in development (at eps = 2 eta it ended at loss 1.67 against 1.45 at the first
    axis). So the descent (step 0.5 / sqrt(t), the best iterate kept) runs from several starts and
    the lowest final loss wins: a random unit vector, the first axis (the robust feature), the
    normalised average of the other features, and the normalised mean of y x (the standard
    direction). ``x``: (n, d) tensor, ``y``: +-1 tensor.

    Example
    -------
    >>> import torch
    >>> x = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.1], [-2.0, -0.1]])
    >>> y = torch.tensor([1.0, -1.0, 1.0, -1.0])
    >>> w = unit_norm_svm(x, y, 0.0, generator=0)  # the separating axis
    >>> bool(abs(w[0] - 1.0) < 1e-6 and abs(w[1]) < 1e-3)
    True
    """
    gen = torch.Generator().manual_seed(int(generator or 0))
    x, y = x.double().cpu(), y.double().cpu()
    d = x.shape[1]
    axis, rest = torch.zeros(d, dtype=torch.float64), torch.ones(d, dtype=torch.float64)
    axis[0], rest[0] = 1.0, 0.0
    starts = [torch.randn(d, generator=gen, dtype=torch.float64), axis, rest, (y[:, None] * x).mean(0)]

    def loss_of(w):
        return torch.relu(1 - y * (x @ w) + eps * w.abs().sum()).mean()

    best, best_loss = None, np.inf
    for w0 in starts:
        if float(w0.norm()) == 0.0:
            continue
        w = (w0 / w0.norm()).clone().requires_grad_(True)
        for t in range(steps):
            loss = loss_of(w)
            if loss.item() < best_loss:
                best, best_loss = w.detach().clone(), loss.item()
            (g,) = torch.autograd.grad(loss, w)
            with torch.no_grad():
                w -= 0.5 / np.sqrt(t + 1) * g
                w /= w.norm()
    return best.numpy()


def plot(report: dict, folder):
    """tsipras-tradeoff.png: every trained model's (standard, robust) accuracy under Theorem 2.1's bound."""
    c, res = report["config"], report["results"]
    p = c["p_robust"]
    fig, ax = figure(width=9.0, height=4.8)
    a = np.linspace(0.5, 1.0, 401)
    ax.plot(a, tradeoff.robust_accuracy_upper_bound(a, p), "k-", lw=2,
            label="Theorem 2.1: robust accuracy <= min(A, p (1 - A) / (1 - p))")
    std, rob = res["linear_frontier"]
    ax.plot(std, rob, color="grey", lw=1, ls="--", label="exact pairs of the unbiased linear classifiers")
    markers = {"standard": "o", "adversarial": "s", "suggala": "^", "trades": "v", "svm": "D"}
    for name, acc in res["accuracies"].items():
        kind = name.split("-")[0]
        ax.errorbar([acc["standard"][0]], [acc["robust"][0]],
                    xerr=[[acc["standard"][0] - acc["standard"][1]], [acc["standard"][2] - acc["standard"][0]]],
                    yerr=[[acc["robust"][0] - acc["robust"][1]], [acc["robust"][2] - acc["robust"][0]]],
                    fmt=markers.get(kind, "o"), capsize=2, ms=6, label=name)
    for kind, svm in res.get("svm", {}).items():
        pop = svm["population"]
        ax.plot([pop["accuracy"]], [pop["robust-accuracy"]], "D", mfc="none", mec="black", ms=11,
                label=f"population SVM, {kind} (Theorem 2.2)")
        ax.plot(svm["per_sample"]["accuracy"], svm["per_sample"]["robust-accuracy"], "D", ms=4,
                label=f"unit-norm SVM, {kind}, one per training sample")
    label(ax, "standard accuracy A (exact at the learned weights / fresh samples)",
          "robust accuracy, l-inf eps = 2 eta", legend=False)
    title(fig, f"Tsipras distribution (d = {c['d']}, eta sqrt(d) = {c['eta_scale']:g}, p = {p:g}): trained "
          "linear models against Theorem 2.1's bound")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    ax.set_xlim(0.45, 1.01)
    ax.set_ylim(-0.02, 0.8)
    return [save(fig, folder / "tsipras-tradeoff.png")]


@experiment(
    "tsipras-tradeoff",
    description="linear models on the Tsipras distribution: standard vs adversarial training (eps = 2 eta), "
                "and a lambda / beta sweep under Theorem 2.1's bound",
    predictions={
        "standard.accuracy": "standard training: the measured accuracy equals tradeoff.linear_accuracy(w, b) "
                             "at the learned weights",
        "adversarial.robust-accuracy": "adversarial training: the measured robust accuracy (eps = 2 eta) equals "
                                       "tradeoff.linear_accuracy(w, b, eps) at the learned weights",
        **{f"{name}.bound": f"{name}: robust accuracy <= robust_accuracy_upper_bound(standard accuracy) "
           "(Theorem 2.1)" for name, _ in _objectives(1)},
        **{f"svm-{k}.{q}": f"unit-norm hinge SVM, {k} training: the mean over training samples of its "
           f"{q.replace('-', ' ')} equals population_svm's (Theorem 2.2)" for k in SVM_KINDS for q in SVM_QUANTITIES},
    },
    quick=dict(d=50, eta_scale=3.0, p_robust=0.7, n_train=5000, n_test=50_000, epochs=6, steps=5, batch_size=128,
               svm_seeds=4, svm_steps=600),
    full=dict(d=1000, eta_scale=3.0, p_robust=0.7, n_train=100_000, n_test=1_000_000, epochs=30, steps=10,
              batch_size=256, svm_seeds=10, svm_steps=2000),
    tiny=dict(d=20, n_train=1000, n_test=10_000, epochs=2, steps=3, svm_seeds=3, svm_steps=150),
    quick_cost="about 1 min on a 2-core CPU", full_cost="minutes on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    eta = c["eta_scale"] / np.sqrt(c["d"])  # tsipras2019 takes eta >= 3 / sqrt(d)
    eps, p = 2 * eta, c["p_robust"]
    dist = tradeoff.TsiprasDistribution(c["d"], eta, p)
    train = data.from_distribution(dist, c["n_train"], seed=ctx.seed).to(ctx.device)
    test = data.from_distribution(dist, c["n_test"], seed=ctx.seed + 1).to(ctx.device)
    worst = attacks.bind(attacks.linear_worst_case, eps=eps, norm="linf")
    report = ctx.report()
    share, accuracies = {}, {}
    for name, objective in _objectives(c["steps"]):
        model = models.Linear(dist.dim, generator=ctx.seed)
        Trainer(model, train, objective, constant(eps), c["epochs"], optimizer=sgd(lr=0.01, momentum=0.0),
                batch_size=c["batch_size"], seed=ctx.seed, out_dir=ctx.out / f"train-{name}", device=ctx.device,
                progress=ctx.progress).fit()
        model.eval()
        w, b = model.theory_weights()
        share[name] = float(abs(w[0]) / np.abs(w).sum())
        clean = evaluate.accuracy(model, test.x, test.y)
        robust = evaluate.robust_accuracy(model, test.x, test.y, worst)
        if name == "standard":
            ctx.predict(report, "standard.accuracy", float(tradeoff.linear_accuracy(w, b, eta, p)), clean)
        if name == "adversarial":
            ctx.predict(report, "adversarial.robust-accuracy",
                        float(tradeoff.linear_accuracy(w, b, eta, p, eps)), robust)
        accuracies[name] = {"standard": [clean.value, clean.low, clean.high],
                            "robust": [robust.value, robust.low, robust.high]}
        bound = max(float(tradeoff.robust_accuracy_upper_bound(a, p)) for a in (clean.low, clean.value, clean.high))
        ctx.predict(report, f"{name}.bound", bound, robust, relation="<=")
    report.results["robust_weight_share"] = share
    report.results["accuracies"] = accuracies
    std, rob = tradeoff.linear_tradeoff_pairs(c["d"], eta, eps, p, n_angles=721)
    report.results["linear_frontier"] = [np.round(std, 5).tolist(), np.round(rob, 5).tolist()]
    _svms(ctx, report, dist, eta, eps, p)
    return report


def _svms(ctx: Context, report, dist, eta: float, eps: float, p: float) -> None:
    """The unit-norm SVMs on ``svm_seeds`` training samples against ``population_svm`` (Theorem 2.2)."""
    c = ctx.config
    out = {}
    for kind in SVM_KINDS:
        train_eps = eps if kind == "adversarial" else 0.0
        pop = tradeoff.population_svm(c["d"], eta, train_eps, p, eval_eps=eps)
        rows = []
        for k in range(c["svm_seeds"]):
            x, y = dist.sample(c["n_train"], rng=np.random.default_rng([ctx.seed, 7, k]))
            w = unit_norm_svm(torch.as_tensor(x), torch.as_tensor(y), train_eps, steps=c["svm_steps"],
                              generator=ctx.seed + k)
            rows.append((w[0], float(tradeoff.linear_accuracy(w, 0.0, eta, p)),
                         float(tradeoff.linear_accuracy(w, 0.0, eta, p, eps))))
        rows = np.array(rows)
        predicted = (pop.w1, pop.standard_accuracy, pop.adversarial_accuracy)
        for q, col, pred in zip(SVM_QUANTITIES, rows.T, predicted, strict=True):
            ctx.predict(report, f"svm-{kind}.{q}", float(pred), mean(col), slack=2e-3)
        out[kind] = {"population": dict(zip(SVM_QUANTITIES, map(float, predicted), strict=True)),
                     "per_sample": {q: col.tolist() for q, col in zip(SVM_QUANTITIES, rows.T, strict=True)}}
    report.results["svm"] = out
