"""wen-regularization: the directions wen2020 section 4 reports for a CNN adversarially trained at growing eps.

Source: Wen, Li, Jia and Li, "Towards understanding the regularization of adversarial robustness on neural
networks" (ICML 2020), section 4 ("Empirical studies", guided by Theorem 3.1) and section 1.1, which it
refines. The paper trains ResNet-56/110 and a wide ResNet with Madry PGD at l-inf "AR strengths" 4, 8, 16
(/255) and reports, as AR strength grows:

- section 4.1, fig. 3a: the gap between test and training loss (the surrogate risk gap, "GE gap")
  decreases, and training losses increase (AR regularizes: it reduces the capacity to fit the sample);
- section 4.1, fig. 3b ("trade-off"): test error rates increase (clean accuracy drops), consistent across
  datasets; the test loss decreases on CIFAR10/100 but not on Tiny-ImageNet, and the error-rate gap
  increases on CIFAR10 (appendix B.3: a large-capacity network still overfits), so neither is a
  direction the paper asserts in general;
- section 4.2.1, fig. 4: the margin distributions M(f(x), y) = f_y(x) - max_{i != y} f_i(x) (Definition 3,
  raw logits, not normalized) of test and training sets concentrate more around zero;
- section 4.2.1, fig. 5a: the estimated probability p_y(x) of the true class concentrates more around
  middle values on the test set;
- section 4.2.2, fig. 5c-d, appendix B.2: the standard deviation of the singular values of each layer's
  weight matrix is "mostly" smaller at AR 16 than at AR 4; appendix B.2 quantifies "mostly" as the
  accumulated STD decrease over the layers being much larger than the accumulated increase, i.e.
  sum_i (std_i(AR 16) - std_i(AR 4)) < 0;
- section 1.1, fig. 1c (and appendix D.2, fig. 12): adversarial accuracy increases (the training works).

Here the same CNN (``models.DigitsCNN`` on scikit-learn's 8x8 digits for ``quick``, ``models.MadryCNN`` on
the shipped 5k MNIST subset for ``full``) is trained with ``objectives.Madry`` (l-inf PGD) at each eps of a
grid and for several seeds; eps = 0 is standard training. The convolutions are switched to circular padding
(stride 1, same size) before training, so that ``evaluate.layer_singular_values(method="fft")`` (Sedghi et
al. 2019) is the EXACT spectrum of every convolution layer the network actually applies, not that of a
circular stand-in of a zero-padded layer.

Predictions (smallest eps of the grid, 0, against the largest; each a difference with an interval whose
sign gives the verdict through ``theory.montecarlo.compare``):

- ``loss-gap`` (< 0): [test loss - train loss] at the largest eps minus at eps 0 (clean cross-entropy).
  Per example the loss is averaged over the seeds; the difference of gaps is mean_test(d) - mean_train(d)
  with d the per-example loss difference between the two eps, interval sqrt(h_test^2 + h_train^2) from the
  two independent intervals of ``theory.montecarlo.mean`` (:func:`gap_estimate`);
- ``train-loss`` (> 0): paired per-example difference of the clean training loss;
- ``clean-accuracy`` (< 0): paired per-example difference of test correctness;
- ``margin.test`` / ``margin.train`` (< 0): paired per-example difference of |M(f(x), y)| (seed-averaged):
  "more concentrated around zero" as a smaller mean distance from zero;
- ``probability.test`` (> 0): paired difference of the indicator p_y(x) in ``prob_band`` (a band fixed in
  the configuration, [0.1, 0.9]: the paper gives no numbers);
- ``spread.total`` (< 0): appendix B.2's accumulated difference sum over layers of (std at the largest eps
  - std at eps 0), one number per seed; the mean over seeds with its Student-t interval
  (:func:`theory.montecarlo.mean`; at 0.999 and 5 seeds the t quantile is 8.6, so the effect must be large
  and consistent to be resolved).
  A spectrum is a deterministic function of the trained weights: the only randomness it has is that of
  training, so the honest interval is over seeds (a bootstrap over the singular values of one model would
  measure nothing). The per-layer differences are in ``results`` (the paper says "mostly", not "every");
- ``robust-accuracy`` (> 0): paired difference of PGD robust correctness at the largest eps.

The intervals over examples (all but ``spread.total``) are conditional on the trained models: they cover
the sampling of the evaluation examples, not the training randomness (the per-seed values are in
``results`` to show how much that varies).

Recorded, not predicted (``results``): per model and per eps the clean and robust accuracy, train and test
loss, loss and error gaps with intervals, the test loss and error-gap differences (the directions the
paper reports as dataset dependent), margin and probability quantiles, the spectrally normalized margin
M / prod_l sigma_max(W_l) (a Lipschitz bound of the network: ReLU and max-pool are 1-Lipschitz in l2, so
it removes the scale of the logits, which raw margins keep), the per-layer STD, log-STD and condition
number of the spectra, and the ramp-risk gap of Theorem 3.1 at ``ramp_gamma`` (``theory.regularization``).

Found in development (quick, seeds 0-4, 2026-12-03; details in docs/experiments/wen-regularization.md):
``train-loss``, ``clean-accuracy``, ``margin.test``, ``margin.train``, ``probability.test`` and
``robust-accuracy`` held by wide margins (mean |M| on the test set 7.75 -> 2.16 logits; the spectrally
normalized margins shrink too, so it is not only the logit scale). ``loss-gap`` was inconclusive (-0.025
[-0.097, 0.048]: the standard model barely overfits 1,347 digits and 450 test losses are noisy), and so was
``spread.total`` (-0.52 [-1.06, 0.02]: all 5 per-seed totals negative, but a t interval over 5 seeds at 99.9%
is wide; both fully connected layers shrank in every seed, conv2 went both ways). The test loss rose at
eps 0.2 (the paper's Tiny-ImageNet behaviour, not CIFAR's). A first design had 3 seeds and 12 epochs: the
spectral interval (t = 31.6) could not resolve anything and the standard model did not fit its training set,
hence 5 seeds and 20 epochs (the verdicts were the same: both predictions inconclusive).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from empirical import _core, attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.report import plot_predictions
from empirical.train import Trainer, adam, constant
from theory import regularization
from theory.figures import figure, label, save, title
from theory.montecarlo import Estimate, mean

NAME = "wen-regularization"
CONFIDENCE = 0.999
QUANTILE_GRID = [round(q, 4) for q in np.linspace(0.0, 1.0, 101)]
UNITS = {"loss-gap": "difference of loss gaps (nats)", "train-loss": "difference of train loss (nats)",
         "clean-accuracy": "difference of test accuracy", "margin.test": "difference of mean |M| (logits)",
         "margin.train": "difference of mean |M| (logits)",
         "probability.test": "difference of share with p_y in band",
         "spread.total": "sum over layers of STD differences", "robust-accuracy": "difference of robust accuracy"}


# --------------------------------------------------------------------------- intervals


def gap_estimate(train_values, test_values, confidence: float = CONFIDENCE) -> Estimate:
    """mean(test) - mean(train) for two independent samples, with an interval for the difference.

    The half-width is sqrt(h_test^2 + h_train^2), h the half-widths of :func:`theory.montecarlo.mean` at the
    same level: each is a quantile times its standard error, and the standard errors of independent means
    add in quadrature (with the Student-t quantiles of n - 1 degrees of freedom this is slightly
    conservative against Welch's interval; for the hundreds of examples used here both are the normal one).
    Used for a model's train/test gap (per-example losses or error indicators) and for the difference of two
    models' gaps (per-example differences between the models on each set).
    """
    a, b = mean(test_values, confidence), mean(train_values, confidence)
    h = math.hypot(a.halfwidth, b.halfwidth)
    v = a.value - b.value
    return Estimate(v, v - h, v + h, a.n + b.n, confidence)


def _est(e: Estimate) -> list[float]:
    return [float(e.value), float(e.low), float(e.high)]


# --------------------------------------------------------------------------- models and measurements


def circular(model: torch.nn.Module) -> torch.nn.Module:
    """Switch every same-size stride-1 ``Conv2d`` of ``model`` to circular padding (in place; returned).

    Then :func:`empirical.evaluate.conv2d_circular_singular_values` is the exact spectrum of each
    convolution the network applies. ValueError for a convolution the switch would not make circular
    and same-size (stride other than 1, or 2 * padding != dilation * (kernel - 1)).
    """
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Conv2d):
            same = all(2 * p == d * (k - 1) for p, d, k in zip(m.padding, m.dilation, m.kernel_size, strict=True))
            if tuple(m.stride) != (1, 1) or not same:
                raise ValueError(f"Conv2d {name!r} is not a stride-1 same-size convolution")
            m.padding_mode = "circular"
    return model


def _build(c: dict, seed: int) -> torch.nn.Module:
    if c["model"] == "digits":
        model = models.DigitsCNN(classes=10, width=c["width"], hidden=c["hidden"], generator=seed)
    elif c["model"] == "madry":
        model = models.MadryCNN(classes=10, generator=seed)
    else:
        raise ValueError(f"model must be 'digits' or 'madry', got {c['model']!r}")
    return circular(model)


def _load(c: dict, split: str):
    if c["dataset"] == "digits":
        return data.digits(split)
    if c["dataset"] == "mnist":
        return data.mnist(split)
    raise ValueError(f"dataset must be 'digits' or 'mnist', got {c['dataset']!r}")


def _logits(model, x, batch_size=512) -> torch.Tensor:
    device = next(model.parameters()).device
    out = []
    with _core.eval_mode(model), torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            out.append(model(x[i:i + batch_size].to(device)).double().cpu())
    return torch.cat(out)


def per_example(model, d) -> dict[str, np.ndarray]:
    """Per example of the data set ``d``: margin (``evaluate.margins``), clean cross-entropy, correctness
    (``evaluate.robust_correctness``) and the estimated probability p_y(x) = exp(-loss) of the true class."""
    logits = _logits(model, d.x)
    y = d.y.cpu()
    loss = _core.loss_per_example(logits, y).numpy()
    return {"margin": evaluate.margins(model, d.x, d.y).double().numpy(), "loss": loss,
            "correct": evaluate.robust_correctness(model, d.x, d.y).numpy().astype(np.float64),
            "prob": np.exp(-loss), "logits": logits.numpy()}


def spectra(model) -> dict[str, dict]:
    """Per Linear/Conv2d layer: :func:`empirical.evaluate.spectral_spread` of its exact singular values."""
    sv = evaluate.layer_singular_values(model, model.input_shape, method="fft")
    out = {}
    for name, s in sv.items():
        sp = evaluate.spectral_spread(s)
        out[name] = {"std": sp.std, "log_std": sp.log_std, "ratio": sp.ratio, "largest": sp.largest,
                     "smallest": sp.smallest, "n": sp.n}
    return out


def layer_labels(model) -> dict[str, str]:
    """A short label per Linear/Conv2d layer: its kind, index and shape ("conv1 1->8, 3x3")."""
    out, n_conv, n_fc = {}, 0, 0
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Conv2d):
            n_conv += 1
            k = "x".join(str(v) for v in m.kernel_size)
            out[name] = f"conv{n_conv} {m.in_channels}->{m.out_channels}, {k}"
        elif isinstance(m, torch.nn.Linear):
            n_fc += 1
            out[name] = f"fc{n_fc} {m.in_features}->{m.out_features}"
    return out


def _summary(values) -> dict:
    s = evaluate.margin_summary(values, quantiles=(0.05, 0.25, 0.5, 0.75, 0.95))
    s["quantiles"] = {f"{q:g}": v for q, v in s["quantiles"].items()}
    s["mean_abs"] = float(np.mean(np.abs(values)))
    return s


# --------------------------------------------------------------------------- plot


def _errbar(ax, xs, ests, **kw):
    v = [e[0] for e in ests]
    ax.errorbar(xs, v, yerr=[[e[0] - e[1] for e in ests], [e[2] - e[0] for e in ests]], capsize=3, **kw)


def plot(report: dict, folder):
    """wen-regularization.png: margins, spectra, gaps and accuracy against eps;
    wen-regularization-predictions.png: each prediction's measured difference with its interval."""
    res, c = report["results"], report["config"]
    eps = [float(e) for e in c["eps"]]
    keys = [f"{e:g}" for e in eps]
    by = res["by_eps"]
    colors = [f"C{i}" for i in range(len(eps))]
    fig, axes = figure(3, 2, height=3.9)
    ax = axes[0, 0]
    for k, col in zip(keys, colors, strict=True):
        ax.plot(by[k]["margin_test_quantiles"], QUANTILE_GRID, color=col, label=f"eps {k}")
        ax.plot(by[k]["margin_train_quantiles"], QUANTILE_GRID, color=col, ls=":", lw=1)
    ax.axvline(0.0, color="black", lw=0.8)
    ax.plot([], [], color="grey", ls=":", label="training set (dotted)")
    label(ax, "margin M(f(x), y) = f_y - max_{i!=y} f_i (logits)", "empirical CDF",
          "margin distributions (test solid, train dotted), pooled over seeds")
    ax = axes[0, 1]
    layers = res["layers"]
    for i, (k, col) in enumerate(zip(keys, colors, strict=True)):
        xs = np.arange(len(layers)) + (i - (len(keys) - 1) / 2) * 0.08
        m = [by[k]["spread_std"][ly]["mean"] for ly in layers]
        lo = [by[k]["spread_std"][ly]["min"] for ly in layers]
        hi = [by[k]["spread_std"][ly]["max"] for ly in layers]
        ax.errorbar(xs, m, yerr=[np.subtract(m, lo), np.subtract(hi, m)], fmt="o-", color=col, capsize=3,
                    label=f"eps {k}")
    ax.set_xticks(range(len(layers)))
    ax.set_xticklabels([res.get("layer_labels", {}).get(ly, ly) for ly in layers], fontsize=8)
    ax.set_yscale("log")
    label(ax, "layer (exact spectrum: circular conv by FFT, linear by SVD)", "STD of singular values",
          f"per-layer singular-value spread (mean over {c['seeds']} seeds, bars min-max)")
    ax = axes[0, 2]
    _errbar(ax, eps, [by[k]["train_loss"] for k in keys], fmt="s-", color="tab:blue", label="train loss")
    _errbar(ax, eps, [by[k]["test_loss"] for k in keys], fmt="^-", color="tab:orange", label="test loss")
    _errbar(ax, eps, [by[k]["loss_gap"] for k in keys], fmt="o-", color="black", label="loss gap (test - train)")
    label(ax, "training eps (l-inf, pixels in [0, 1])", "clean cross-entropy (nats)",
          "losses and loss gap against eps (99.9% intervals over examples)")
    ax = axes[1, 0]
    _errbar(ax, eps, [by[k]["clean_accuracy"] for k in keys], fmt="o-", color="tab:green", label="clean test accuracy")
    _errbar(ax, eps, [by[k]["robust_accuracy"] for k in keys], fmt="s-", color="tab:red",
            label=f"PGD robust test accuracy, eps {c['attack_eps']:g}")
    _errbar(ax, eps, [by[k]["error_gap"] for k in keys], fmt="^--", color="grey", label="error gap (test - train)")
    label(ax, "training eps (l-inf)", "fraction of examples", "accuracy and error gap against eps")
    ax.set_ylim(-0.05, 1.05)
    ax = axes[1, 1]
    for k, col in zip(keys, colors, strict=True):
        ax.plot(by[k]["prob_test_quantiles"], QUANTILE_GRID, color=col, label=f"eps {k}")
    lo, hi = c["prob_band"]
    ax.axvspan(lo, hi, color="grey", alpha=0.12, label=f"middle band [{lo:g}, {hi:g}]")
    label(ax, "estimated probability p_y(x) of the true class (softmax)", "empirical CDF (test set)",
          "test-set probabilities of the true class, pooled over seeds")
    ax = axes[1, 2]
    for k, col in zip(keys, colors, strict=True):
        ax.plot(by[k]["normalized_margin_test_quantiles"], QUANTILE_GRID, color=col, label=f"eps {k}")
    ax.axvline(0.0, color="black", lw=0.8)
    label(ax, "M / prod_l sigma_max(W_l) (spectrally normalized)", "empirical CDF (test set)",
          "normalized test margins (the logit scale removed), pooled over seeds")
    net = {"digits": "DigitsCNN", "madry": "MadryCNN"}.get(c["model"], c["model"])
    title(fig, f"wen2020 section 4, {net} on {c['dataset']}, circular padding: adversarial training at growing eps "
               f"({c['seeds']} seeds, {c['epochs']} epochs)")
    paths = [save(fig, folder / f"{NAME}.png")]
    preds = report["predictions"]
    ncols = 4
    nrows = -(-len(preds) // ncols)
    fig, axes = figure(ncols, nrows, width=12.0, height=2.3)
    axes = np.atleast_1d(axes).ravel()
    for ax, p in zip(axes, preds, strict=False):
        key = p["id"].removeprefix(f"experiments.{NAME}.")
        plot_predictions(dict(report, predictions=[p]), ax)
        ax.set_yticklabels([])
        ax.get_legend().remove()
        ax.axvline(0.0, color="black", lw=0.6)
        label(ax, UNITS.get(key, "difference"), "", f"{key}: {p['verdict']}", legend=False)
    for ax in axes[len(preds):]:
        ax.set_visible(False)
    title(fig, f"predictions: measured difference (eps {eps[-1]:g} minus eps {eps[0]:g}) with its 99.9% interval "
               "(green held, red did not hold, orange inconclusive); the black triangle at 0 points to the "
               "asserted side")
    paths.append(save(fig, folder / f"{NAME}-predictions.png"))
    return paths


# --------------------------------------------------------------------------- the experiment


@experiment(
    NAME,
    description="a CNN adversarially trained at growing l-inf eps: margins, exact per-layer singular-value "
                "spread, loss and error gaps and accuracy against the directions of wen2020 section 4",
    predictions={
        "loss-gap": "wen2020 sec. 4.1, fig. 3a: the train/test gap of the clean cross-entropy (test minus train) is "
                    "smaller at the largest eps than at eps 0 (difference of gaps < 0)",
        "train-loss": "wen2020 sec. 4.1, fig. 3: the clean training loss is larger at the largest eps (paired "
                      "per-example difference > 0)",
        "clean-accuracy": "wen2020 sec. 4.1, fig. 3b: clean test accuracy is lower at the largest eps (paired "
                          "per-example difference < 0)",
        "margin.test": "wen2020 sec. 4.2.1, fig. 4a-b: test margins M (Definition 3, logits) concentrate more "
                       "around 0: mean |M| is smaller at the largest eps (paired difference < 0)",
        "margin.train": "wen2020 sec. 4.2.1, fig. 4c-d: training margins concentrate more around 0: mean |M| "
                        "is smaller at the largest eps (paired difference < 0)",
        "probability.test": "wen2020 sec. 4.2.1, fig. 5a: more test examples have a true-class probability in the "
                            "middle band prob_band at the largest eps (paired difference > 0)",
        "spread.total": "wen2020 sec. 4.2.2, fig. 5c-d, app. B.2: the STD of each layer's singular values is mostly "
                        "smaller at larger eps: sum over layers of (STD at the largest eps - STD at eps 0) < 0 "
                        "(mean over seeds, Student-t interval)",
        "robust-accuracy": "wen2020 sec. 1.1, fig. 1c, app. D.2: PGD robust test accuracy at attack_eps is higher "
                           "at the largest training eps (paired difference > 0)",
    },
    quick=dict(dataset="digits", model="digits", width=8, hidden=64, eps=[0.0, 0.05, 0.1, 0.2], seeds=5,
               epochs=20, steps=5, lr=3e-3, batch_size=128, attack_eps=0.2, attack_steps=20,
               prob_band=[0.1, 0.9], ramp_gamma=1.0),
    full=dict(dataset="mnist", model="madry", width=8, hidden=64, eps=[0.0, 0.1, 0.2, 0.3], seeds=5,
              epochs=30, steps=10, lr=1e-3, batch_size=128, attack_eps=0.3, attack_steps=40,
              prob_band=[0.1, 0.9], ramp_gamma=1.0),
    tiny=dict(width=4, hidden=16, eps=[0.0, 0.2], seeds=2, epochs=2, steps=2, attack_steps=5),
    quick_cost="about 2 min of CPU time on one core (4-5 min wall on a loaded 2-core machine)",
    full_cost="an estimated 5-10 min on a GPU (20 MadryCNN runs; not run yet)",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    eps = [float(e) for e in c["eps"]]
    if len(eps) < 2 or sorted(eps) != eps or len(set(eps)) != len(eps):
        raise ValueError(f"eps must be at least two increasing radii, got {c['eps']!r}")
    if int(c["seeds"]) < 2:
        raise ValueError("seeds must be >= 2: the spectral prediction's interval is over seeds")
    seeds = [ctx.seed + i for i in range(int(c["seeds"]))]
    train, test = _load(c, "train").to(ctx.device), _load(c, "test").to(ctx.device)
    band_lo, band_hi = (float(b) for b in c["prob_band"])
    attack = attacks.bind(attacks.pgd, eps=float(c["attack_eps"]), steps=int(c["attack_steps"]), generator=ctx.seed)
    report = ctx.report()

    models_res: dict[str, dict] = {}
    vec: dict[str, dict[str, list]] = {}  # eps -> quantity -> list over seeds of per-example arrays
    spread: dict[str, list[dict]] = {}  # eps -> list over seeds of per-layer spreads
    for e in eps:
        k = f"{e:g}"
        models_res[k], vec[k], spread[k] = {}, {}, []
        for s in seeds:
            model = _build(c, s)
            Trainer(model, train, Madry(steps=c["steps"]), constant(e), c["epochs"], optimizer=adam(lr=c["lr"]),
                    batch_size=c["batch_size"], seed=s, out_dir=ctx.out / f"train-eps{k}-seed{s}",
                    device=ctx.device, progress=ctx.progress).fit()
            model.eval()
            tr, te = per_example(model, train), per_example(model, test)
            rob = evaluate.robust_correctness(model, test.x, test.y, attack).numpy().astype(np.float64)
            sp = spectra(model)
            lip = float(np.prod([v["largest"] for v in sp.values()]))
            gap = evaluate.loss_gap(model, train, test, confidence=CONFIDENCE)
            y_tr, y_te = train.y.cpu().numpy(), test.y.cpu().numpy()
            models_res[k][str(s)] = {
                "clean_accuracy": _est(evaluate.accuracy(model, test.x, test.y, confidence=CONFIDENCE)),
                "robust_accuracy": _est(evaluate.robust_accuracy(model, test.x, test.y, attack,
                                                                 confidence=CONFIDENCE)),
                "train_loss": gap.train_loss, "test_loss": gap.test_loss,
                "loss_gap": _est(gap_estimate(tr["loss"], te["loss"])),
                "error_gap": _est(gap_estimate(1 - tr["correct"], 1 - te["correct"])),
                "train_error": _est(gap.train_error), "test_error": _est(gap.test_error),
                "ramp_gap": regularization.ramp_risk(te["logits"], y_te, c["ramp_gamma"])
                - regularization.ramp_risk(tr["logits"], y_tr, c["ramp_gamma"]),
                "margin_test": _summary(te["margin"]), "margin_train": _summary(tr["margin"]),
                "prob_middle_test": float(np.mean((te["prob"] >= band_lo) & (te["prob"] <= band_hi))),
                "lipschitz_bound": lip, "spectra": sp,
            }
            spread[k].append(sp)
            for name, v in (("margin_test", te["margin"]), ("margin_train", tr["margin"]),
                            ("loss_test", te["loss"]), ("loss_train", tr["loss"]),
                            ("correct_test", te["correct"]), ("correct_train", tr["correct"]),
                            ("prob_test", te["prob"]), ("robust_test", rob), ("nmargin_test", te["margin"] / lip)):
                vec[k].setdefault(name, []).append(v)

    layers = list(spread[f"{eps[0]:g}"][0])
    avg = {k: {name: np.mean(v, axis=0) for name, v in q.items()} for k, q in vec.items()}
    by_eps = {}
    for k in avg:
        a, pooled = avg[k], {name: np.concatenate(v) for name, v in vec[k].items()}
        by_eps[k] = {
            "clean_accuracy": _est(mean(a["correct_test"])), "robust_accuracy": _est(mean(a["robust_test"])),
            "train_loss": _est(mean(a["loss_train"])), "test_loss": _est(mean(a["loss_test"])),
            "loss_gap": _est(gap_estimate(a["loss_train"], a["loss_test"])),
            "error_gap": _est(gap_estimate(1 - a["correct_train"], 1 - a["correct_test"])),
            "margin_test_mean_abs": _est(mean(np.abs(a["margin_test"]))),
            "margin_train_mean_abs": _est(mean(np.abs(a["margin_train"]))),
            "margin_test_quantiles": np.quantile(pooled["margin_test"], QUANTILE_GRID).tolist(),
            "margin_train_quantiles": np.quantile(pooled["margin_train"], QUANTILE_GRID).tolist(),
            "normalized_margin_test_quantiles": np.quantile(pooled["nmargin_test"], QUANTILE_GRID).tolist(),
            "prob_test_quantiles": np.quantile(pooled["prob_test"], QUANTILE_GRID).tolist(),
            "spread_std": {ly: {"mean": float(np.mean([sp[ly]["std"] for sp in spread[k]])),
                                "min": float(np.min([sp[ly]["std"] for sp in spread[k]])),
                                "max": float(np.max([sp[ly]["std"] for sp in spread[k]]))} for ly in layers},
        }

    lo_k, hi_k = f"{eps[0]:g}", f"{eps[-1]:g}"
    A, B = avg[lo_k], avg[hi_k]

    def paired(name, fn=lambda v: v):
        return mean(fn(B[name]) - fn(A[name]), CONFIDENCE)

    ctx.predict(report, "loss-gap", 0.0, gap_estimate(B["loss_train"] - A["loss_train"],
                                                      B["loss_test"] - A["loss_test"]), relation="<")
    ctx.predict(report, "train-loss", 0.0, paired("loss_train"), relation=">")
    ctx.predict(report, "clean-accuracy", 0.0, paired("correct_test"), relation="<")
    ctx.predict(report, "margin.test", 0.0, paired("margin_test", np.abs), relation="<")
    ctx.predict(report, "margin.train", 0.0, paired("margin_train", np.abs), relation="<")
    ctx.predict(report, "probability.test", 0.0,
                paired("prob_test", lambda p: ((p >= band_lo) & (p <= band_hi)).astype(np.float64)), relation=">")

    def layer_diffs(field):
        return {ly: [hi_sp[ly][field] - lo_sp[ly][field] for lo_sp, hi_sp in zip(spread[lo_k], spread[hi_k],
                                                                                  strict=True)] for ly in layers}

    std_diff = layer_diffs("std")
    total = [float(sum(std_diff[ly][i] for ly in layers)) for i in range(len(seeds))]
    ctx.predict(report, "spread.total", 0.0, mean(total), relation="<")
    ctx.predict(report, "robust-accuracy", 0.0, paired("robust_test"), relation=">")

    log_diff = layer_diffs("log_std")
    report.results.update({
        "seeds": seeds, "layers": layers, "layer_labels": layer_labels(_build(c, ctx.seed)),
        "models": models_res, "by_eps": by_eps,
        "comparison": {
            "eps": [eps[0], eps[-1]],
            "spread_std_per_layer": {ly: {"per_seed": std_diff[ly], "mean": _est(mean(std_diff[ly]))}
                                     for ly in layers},
            "spread_log_std_per_layer": {ly: {"per_seed": log_diff[ly], "mean": _est(mean(log_diff[ly]))}
                                         for ly in layers},
            "spread_std_total_per_seed": total,
            "spread_log_std_total": _est(mean([sum(log_diff[ly][i] for ly in layers)
                                                    for i in range(len(seeds))])),
            "test_loss": _est(paired("loss_test")),
            "error_gap": _est(gap_estimate(A["correct_train"] - B["correct_train"],
                                           A["correct_test"] - B["correct_test"])),
            "normalized_margin_test_mean_abs": _est(paired("nmargin_test", np.abs)),
            "margin_test_std": [float(np.std(A["margin_test"])), float(np.std(B["margin_test"]))],
        },
    })
    return report
