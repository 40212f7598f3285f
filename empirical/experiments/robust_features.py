"""robust-features: robust and non-robust pixels of the binary digits 5 vs 7, saliency and large-eps examples.

Data: scikit-learn's 8x8 digits, 5 (label -1) against 7 (label +1), pixels in [0, 1]
(``empirical.data.digits``); the l-inf radius is ``eps`` = 0.2 throughout, the binary-MNIST radius
of tsipras2019 appendix A.3, Table 2. Four parts.

1. Linear models (tsipras2019 section 2.3, Figure 2(a, b); appendix A.2: a linear classifier
   w.x + b trained with the logistic loss). A standard (``Standard``) and an adversarially
   trained (``Madry``, l-inf PGD at eps) ``models.Linear(64)``. Accuracies are measured out of
   fold: the 361 images of the pair are split into ``folds`` stratified folds, each model is
   trained on the other folds and evaluated on the held-out one, clean and under the exact
   worst case of a linear model in the l-inf ball intersected with [0, 1]
   (``attacks.linear_worst_case``), so every image is a test point once (the fixed test split
   alone holds 91, too few to see a loss of a few per cent). The weights are those of models
   trained on the fixed train split (270 images); their pixel-label correlations
   rho_i = corr(x_i, y) (Pearson, on the same images; 0 for a constant pixel).
2. Figure 2(c): standard training on the pixels with |rho_i| >= tau only (at least the most
   correlated pixel), for a grid of thresholds tau, out of fold as above (rho from the training
   folds). The threshold of the predictions, tau*, is chosen in each fold on its training folds
   (largest robust training accuracy; ties to the smaller tau), never on the held-out images.
3. Saliency (suggala2019 section 7.3, Figure 6; tsipras2019 section 3.3, Figure 5): a standard
   and an adversarially trained ``models.DigitsCNN(classes=1)`` on the train split; on the test
   split, the gradient of the margin y z (``evaluate.gradient_saliency``) of both, and integrated
   gradients (black baseline) and SmoothGrad (noise s.d. 0.5, i.e. suggala2019's variance 0.25)
   of the standard one. Each map's concentration on the digit is
   ``evaluate.concentration(map, mask)``, the share of sum |map| inside the digit mask
   x >= ``mask_threshold`` (0.5: the stroke pixels, 32% of the test pixels).
4. Large-eps adversarial examples (tsipras2019 section 3.1-3.2, Figures 3-4): l2 PGD from the
   test image (no random start, last iterate) at radius ``eps_large`` = 2, about the distance
   ||mu_7 - mu_5||_2 = 2.01 between the class means of the train split, against both CNNs; and
   the path x + t (x_adv - x), t in [0, 1], with the model's P(7) along it.

Predictions (paired differences on the same points, 99.9% intervals; see
``theory.montecarlo.compare``):

- ``linear.clean-accuracy-cost``: out-of-fold clean accuracy, adversarial minus standard, < 0
  (tsipras2019 section 2: robustness costs standard accuracy);
- ``linear.robust-accuracy-gain``: out-of-fold robust accuracy at eps, adversarial minus
  standard, > 0;
- ``linear.weight-spread``: the spread ||w||_1 / (sqrt(d) ||w||_2) (in [1/8, 1], scale-free; 1/8
  for one pixel, 1 for equal weights), adversarial minus standard, < 0 (Figure 2: "adversarially
  trained networks put weights only on a small number of ... features");
- ``linear.weight-on-correlated``: the |w|-weighted mean of |rho_i|, sum |w_i| |rho_i| / ||w||_1,
  adversarial minus standard, > 0 (the weight sits on the strongly correlated, "robust" pixels).
  The two weight statistics are functions of the training set, not of test points: their
  intervals are normal bootstrap intervals, the statistic on the train split +- z times the
  standard deviation of ``bootstrap`` replicates (both models retrained on resamples of the train
  split, rho recomputed);
- ``restricted.robust-gain`` / ``restricted.clean-cost``: the standard model on the pixels with
  |rho| >= tau* against the one on all pixels: robust accuracy higher (> 0), clean accuracy lower
  (< 0) (Figure 2(c): more weakly correlated pixels raise standard accuracy at the cost of
  robustness);
- ``restricted.like-adversarial.robust`` / ``.clean``: against the adversarially trained model
  the differences are 0 (== 0; "we can indeed achieve similar performance to adversarial
  training");
- ``saliency.gradient``: concentration on the digit of the gradient, adversarial CNN minus
  standard CNN, > 0;
- ``saliency.gradient-vs-smoothgrad``: the adversarial CNN's gradient against SmoothGrad of the
  standard CNN, > 0 (suggala2019: the gradient of the adversarial network is "less noisy and much
  more informative than other explanations"). Integrated gradients are measured beside it but are
  not a prediction: with a black baseline IG_j = x_j * (mean gradient)_j vanishes on every pixel
  with x_j = 0 (half of the test pixels), so its concentration on a mask cut from the image is
  high by construction and does not measure what the claim is about;
- ``large-eps.alignment``: the cosine between the large-eps perturbation x_adv - x and the
  direction -y (mu_7 - mu_5) towards the other class's mean, adversarial CNN minus standard CNN,
  > 0 (Figure 3: the adversarial examples of robust models look like the other class, those of
  standard models like noise).

Found in development (seed 0, quick): nine predictions held; the two clean-accuracy costs
(``linear.clean-accuracy-cost``, -0.017, and ``restricted.clean-cost``, -0.025) point the predicted
way but are inconclusive even on 361 out-of-fold images (a cost of 6 and 9 images). The adversarial
linear model puts 93% of ||w||_1 on 7 pixels (spread 0.32 against 0.73). tau* = 0.7, the largest
threshold of the grid (3 pixels), was chosen in every fold. Integrated gradients are far more
concentrated on the digit (0.89) than any gradient (0.48-0.55), for the structural reason above.
The standard CNN's large-eps perturbations already align well with the class means on these 8x8
images (cosine 0.70); the adversarial CNN's align better by 0.04 at eps_large 2 and 3, but not at
eps_large 1 (where the attack flips only 42% of the adversarial CNN's images), which is why the
radius is tied to the class-mean distance.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import stats

from empirical import attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry, Standard
from empirical.report import plot_predictions
from empirical.train import Trainer, constant, sgd
from theory.figures import figure, label, save, title
from theory.montecarlo import Estimate, mean

NAME = "robust-features"
PAIR = (5, 7)
DOMAIN = (0.0, 1.0)
METHODS = ("standard-gradient", "standard-ig", "standard-smoothgrad", "adversarial-gradient")
_METHOD_LABEL = {"standard-gradient": "standard: gradient", "standard-ig": "standard: integrated gradients",
                 "standard-smoothgrad": "standard: SmoothGrad", "adversarial-gradient": "adversarial: gradient"}
_METHOD_SHORT = {"standard-gradient": "std: gradient", "standard-ig": "std: IG",
                 "standard-smoothgrad": "std: SmoothGrad", "adversarial-gradient": "adv: gradient"}


# --------------------------------------------------------------------------- statistics


def pixel_correlation(x, y) -> np.ndarray:
    """Pearson correlation of every pixel with the label: corr(x_i, y) over the examples; 0 for a constant pixel.

    Parameters
    ----------
    x : array (N, d); y : array (N,) of +-1

    Returns
    -------
    float64 array (d,) in [-1, 1].
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    y = np.asarray(y, dtype=np.float64)
    xc, yc = x - x.mean(axis=0), y - y.mean()
    sx, sy = np.sqrt((xc ** 2).sum(axis=0)), np.sqrt((yc ** 2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (xc * yc[:, None]).sum(axis=0) / (sx * sy)
    return np.where(np.ptp(x, axis=0) > 0, r, 0.0)  # exactly 0 for a constant pixel (no rounding residue)


def weight_spread(w) -> float:
    """||w||_1 / (sqrt(d) ||w||_2): 1 for equal |w_i|, 1/sqrt(d) for a single non-zero weight; scale-free."""
    w = np.asarray(w, dtype=np.float64).ravel()
    return float(np.abs(w).sum() / (math.sqrt(w.size) * np.linalg.norm(w)))


def weight_on_correlated(w, rho) -> float:
    """The |w|-weighted mean of |rho|: sum_i |w_i| |rho_i| / ||w||_1 (scale-free, in [0, 1])."""
    a = np.abs(np.asarray(w, dtype=np.float64).ravel())
    return float((a * np.abs(np.asarray(rho, dtype=np.float64).ravel())).sum() / a.sum())


def bootstrap_estimate(value: float, replicates, confidence: float = 0.999) -> Estimate:
    """The normal bootstrap interval value +- z sd(replicates) (z the two-sided normal quantile), n = #replicates.

    For a statistic of the training set (no test points to average over): ``value`` on the data,
    ``replicates`` the statistic on bootstrap resamples of it.
    """
    r = np.asarray(replicates, dtype=np.float64).ravel()
    if r.size < 2:
        raise ValueError(f"a bootstrap interval needs >= 2 replicates, got {r.size}")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    sd = float(r.std(ddof=1))
    return Estimate(float(value), float(value) - z * sd, float(value) + z * sd, int(r.size), confidence)


def alignment(delta, direction) -> np.ndarray:
    """Per row, the cosine between ``delta[i]`` (N, d) and ``direction[i]`` (N, d); 0 where delta[i] is 0."""
    d = np.asarray(delta, dtype=np.float64).reshape(len(delta), -1)
    u = np.asarray(direction, dtype=np.float64).reshape(len(direction), -1)
    n = np.linalg.norm(d, axis=1) * np.linalg.norm(u, axis=1)
    return np.where(n > 0, (d * u).sum(axis=1) / np.where(n > 0, n, 1.0), 0.0)


def choose_threshold(thresholds, scores) -> int:
    """The index of the largest score (ties: the first, i.e. the smallest threshold when sorted)."""
    s = np.asarray(scores, dtype=np.float64)
    return int(np.flatnonzero(s == s.max())[0])


def kept_pixels(rho, tau: float) -> np.ndarray:
    """The pixels with |rho| >= tau, or the single most correlated one when none is (a boolean mask)."""
    a = np.abs(np.asarray(rho, dtype=np.float64))
    keep = a >= tau
    if not keep.any():
        keep[int(np.argmax(a))] = True
    return keep


def embed(model_small: models.Linear, keep) -> models.Linear:
    """The Linear(d) model equal to ``model_small`` on the kept pixels and ignoring the others (weight 0)."""
    w, b = model_small.theory_weights()
    full = np.zeros(len(keep))
    full[np.asarray(keep, dtype=bool)] = w
    return models.Linear.from_theory(full, b).eval()


def interpolation(x, x_adv, ts) -> torch.Tensor:
    """x + t (x_adv - x) for each t: shape (len(ts), *x.shape)."""
    return torch.stack([x + float(t) * (x_adv - x) for t in ts])


def _est(e: Estimate) -> dict:
    return {"value": float(e.value), "low": float(e.low), "high": float(e.high), "n": int(e.n)}


def _img(t) -> list:
    return np.round(np.asarray(t, dtype=np.float64).reshape(8, 8), 4).tolist()


def _p7(model, x) -> list:
    with torch.no_grad():
        return torch.sigmoid(model(x).reshape(-1)).double().tolist()


# --------------------------------------------------------------------------- training


def _fit_linear(ctx, train, objective, epochs, folder, eps):
    c = ctx.config
    model = models.Linear(train.dim, generator=ctx.seed)
    Trainer(model, train, objective, constant(eps), epochs, optimizer=sgd(lr=c["lr_linear"], momentum=0.9),
            batch_size=c["batch_linear"], seed=ctx.seed, out_dir=folder, device="cpu", progress=False).fit()
    return model.eval()


def _linear_pair(ctx, train, folder):
    c = ctx.config
    std = _fit_linear(ctx, train, Standard(), c["epochs_linear"], folder / "standard", 0.0)
    adv = _fit_linear(ctx, train, Madry(steps=c["steps"]), c["epochs_linear"], folder / "adversarial", c["eps"])
    return std, adv


def _weight_stats(std, adv, rho):
    ws, wa = std.theory_weights()[0], adv.theory_weights()[0]
    return (weight_spread(wa) - weight_spread(ws), weight_on_correlated(wa, rho) - weight_on_correlated(ws, rho))


# --------------------------------------------------------------------------- the experiment


def _predictions():
    return {
        "linear.clean-accuracy-cost": "linear models, out of fold: clean accuracy of the adversarially trained minus "
                                      "the standard model (paired) < 0",
        "linear.robust-accuracy-gain": "linear models, out of fold: robust accuracy at eps (exact worst case) of the "
                                       "adversarially trained minus the standard model (paired) > 0",
        "linear.weight-spread": "linear models: ||w||_1 / (sqrt(d) ||w||_2) of the adversarially trained minus the "
                                "standard model < 0 (weight on fewer pixels; bootstrap interval)",
        "linear.weight-on-correlated": "linear models: sum |w_i| |rho_i| / ||w||_1 (rho = pixel-label correlation) "
                                       "of the adversarially trained minus the standard model > 0 (bootstrap interval)",
        "restricted.robust-gain": "standard training on the pixels with |rho| >= tau* minus on all pixels: robust "
                                  "accuracy at eps (paired, out of fold) > 0",
        "restricted.clean-cost": "standard training on the pixels with |rho| >= tau* minus on all pixels: clean "
                                 "accuracy (paired, out of fold) < 0",
        "restricted.like-adversarial.robust": "standard training on the pixels with |rho| >= tau* minus adversarial "
                                              "training: robust accuracy at eps (paired, out of fold) == 0",
        "restricted.like-adversarial.clean": "standard training on the pixels with |rho| >= tau* minus adversarial "
                                             "training: clean accuracy (paired, out of fold) == 0",
        "saliency.gradient": "CNNs, test images: concentration of |gradient| on the digit (x >= mask_threshold), "
                             "adversarially trained minus standard (paired) > 0",
        "saliency.gradient-vs-smoothgrad": "CNNs, test images: concentration on the digit of the adversarial CNN's "
                                           "gradient minus SmoothGrad of the standard CNN (paired) > 0",
        "large-eps.alignment": "CNNs, test images: cosine between the large-eps l2 PGD perturbation and the direction "
                               "to the other class's mean, adversarially trained minus standard (paired) > 0",
    }


@experiment(
    NAME,
    description="tsipras2019 section 2.3 and 3 on digits 5 vs 7: standard vs adversarial linear models (accuracy, "
                "weights against pixel-label correlation), training on the most correlated pixels (Fig. 2c), "
                "saliency concentration (suggala2019 7.3), large-eps adversarial examples and interpolations",
    predictions=_predictions(),
    quick=dict(eps=0.2, folds=5, epochs_linear=40, batch_linear=64, lr_linear=0.2, steps=5,
               thresholds=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], bootstrap=10, cnn_width=8, cnn_epochs=30,
               cnn_steps=7, eval_steps=20, mask_threshold=0.5, sg_sigma=0.5, sg_samples=32, ig_steps=32,
               eps_large=2.0, attack_steps_large=100, n_show=6, interp_steps=7),
    full=dict(eps=0.2, folds=10, epochs_linear=100, batch_linear=32, lr_linear=0.1, steps=10,
              thresholds=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75],
              bootstrap=100, cnn_width=32, cnn_epochs=60, cnn_steps=10, eval_steps=100, mask_threshold=0.5,
              sg_sigma=0.5, sg_samples=100, ig_steps=100, eps_large=2.0, attack_steps_large=200, n_show=6,
              interp_steps=7),
    tiny=dict(folds=2, epochs_linear=3, thresholds=[0.5], bootstrap=2, cnn_width=4, cnn_epochs=1,
              cnn_steps=2, eval_steps=3, sg_samples=4, ig_steps=4, attack_steps_large=10, n_show=2,
              interp_steps=3),
    quick_cost="about 2 min on one CPU core",
    full_cost="about 30 min (not measured): ~270 small linear fits on the CPU; a GPU only speeds up the CNNs",
    plot=lambda report, folder: plot(report, folder),
)
def run(ctx: Context):
    c = ctx.config
    eps = float(c["eps"])
    report = ctx.report()
    worst = attacks.bind(attacks.linear_worst_case, eps=eps, norm="linf", domain=DOMAIN)

    # ---- 1-2. linear models, out of fold, and the threshold curve
    from sklearn.model_selection import StratifiedKFold

    everything = data.digits("all", classes=PAIR).flat()
    n = len(everything)
    ys = everything.y.numpy()
    thresholds = [float(t) for t in c["thresholds"]]
    names = ["standard", "adversarial", "selected"] + [f"tau{t:g}" for t in thresholds]
    ok = {k: {"clean": np.zeros(n, bool), "robust": np.zeros(n, bool)} for k in names}
    kept_counts = {t: [] for t in thresholds}
    chosen = []
    split = StratifiedKFold(int(c["folds"]), shuffle=True, random_state=ctx.seed).split(np.zeros(n), ys)
    for k, (tr_idx, te_idx) in enumerate(split):
        train, held = everything.subset(tr_idx), everything.subset(te_idx)
        folder = ctx.out / f"train-fold{k}"
        fitted = dict(zip(("standard", "adversarial"), _linear_pair(ctx, train, folder), strict=True))
        rho = pixel_correlation(train.x.numpy(), train.y.numpy())
        train_robust = []
        for t in thresholds:
            keep = kept_pixels(rho, t)
            kept_counts[t].append(int(keep.sum()))
            small = data.TensorData(train.x[:, torch.from_numpy(keep)].contiguous(), train.y, 2, "restricted")
            model = embed(_fit_linear(ctx, small, Standard(), c["epochs_linear"], folder / f"tau{t:g}", 0.0), keep)
            fitted[f"tau{t:g}"] = model
            train_robust.append(float(evaluate.robust_correctness(model, train.x, train.y, worst).float().mean()))
        best = choose_threshold(thresholds, train_robust)
        chosen.append(thresholds[best])
        fitted["selected"] = fitted[f"tau{thresholds[best]:g}"]
        for name, model in fitted.items():
            ok[name]["clean"][te_idx] = evaluate.robust_correctness(model, held.x, held.y).numpy()
            ok[name]["robust"][te_idx] = evaluate.robust_correctness(model, held.x, held.y, worst).numpy()

    def diff(a, b, kind):
        return mean(ok[a][kind].astype(float) - ok[b][kind].astype(float))

    ctx.predict(report, "linear.clean-accuracy-cost", 0.0, diff("adversarial", "standard", "clean"), relation="<")
    ctx.predict(report, "linear.robust-accuracy-gain", 0.0, diff("adversarial", "standard", "robust"), relation=">")

    from theory.montecarlo import proportion

    def acc(name, kind):
        return _est(proportion(int(ok[name][kind].sum()), n))

    report.results["crossfit"] = {
        "n": n, "folds": int(c["folds"]), "chosen_thresholds": chosen,
        **{name: {"clean": acc(name, "clean"), "robust": acc(name, "robust")} for name in
           ("standard", "adversarial", "selected")},
    }
    report.results["threshold_curve"] = {
        "thresholds": [0.0] + thresholds,
        "pixels": [64.0] + [float(np.mean(kept_counts[t])) for t in thresholds],
        "clean": [acc("standard", "clean")] + [acc(f"tau{t:g}", "clean") for t in thresholds],
        "robust": [acc("standard", "robust")] + [acc(f"tau{t:g}", "robust") for t in thresholds],
    }

    # weights of the models trained on the fixed train split, and bootstrap replicates
    train = data.digits("train", classes=PAIR).flat()
    rho = pixel_correlation(train.x.numpy(), train.y.numpy())
    std, adv = _linear_pair(ctx, train, ctx.out / "train-split")
    spread, on_corr = _weight_stats(std, adv, rho)
    rng = np.random.default_rng(ctx.seed)
    reps = []
    for r in range(int(c["bootstrap"])):
        idx = rng.integers(0, len(train), len(train))
        sample = train.subset(idx)
        reps.append(_weight_stats(*_linear_pair(ctx, sample, ctx.out / f"train-bootstrap{r}"),
                                  pixel_correlation(sample.x.numpy(), sample.y.numpy())))
    reps = np.asarray(reps)
    ctx.predict(report, "linear.weight-spread", 0.0, bootstrap_estimate(spread, reps[:, 0]), relation="<")
    ctx.predict(report, "linear.weight-on-correlated", 0.0, bootstrap_estimate(on_corr, reps[:, 1]), relation=">")
    weights = {}
    for name, model in (("standard", std), ("adversarial", adv)):
        w, b = model.theory_weights()
        weights[name] = {"w": _img(w), "b": float(b), "l1": float(np.abs(w).sum()), "l2": float(np.linalg.norm(w)),
                         "spread": weight_spread(w), "on_correlated": weight_on_correlated(w, rho)}
    report.results["linear"] = {"rho": _img(rho), "weights": weights,
                                "bootstrap": {"spread": reps[:, 0].tolist(), "on_correlated": reps[:, 1].tolist()}}

    sel, stdk, advk = "selected", "standard", "adversarial"
    ctx.predict(report, "restricted.robust-gain", 0.0, diff(sel, stdk, "robust"), relation=">")
    ctx.predict(report, "restricted.clean-cost", 0.0, diff(sel, stdk, "clean"), relation="<")
    ctx.predict(report, "restricted.like-adversarial.robust", 0.0, diff(sel, advk, "robust"))
    ctx.predict(report, "restricted.like-adversarial.clean", 0.0, diff(sel, advk, "clean"))

    # ---- 3. CNNs: saliency
    train_img = data.digits("train", classes=PAIR).to(ctx.device)
    test = data.digits("test", classes=PAIR).to(ctx.device)
    nets = {}
    for name, objective in (("standard", Standard()), ("adversarial", Madry(steps=c["cnn_steps"]))):
        net = models.DigitsCNN(classes=1, width=c["cnn_width"], generator=ctx.seed)
        Trainer(net, train_img, objective, constant(0.0 if name == "standard" else eps), c["cnn_epochs"],
                optimizer=sgd(lr=0.05, momentum=0.9), batch_size=32, seed=ctx.seed,
                out_dir=ctx.out / f"train-cnn-{name}", device=ctx.device, progress=ctx.progress).fit()
        nets[name] = net.eval()
    pgd = attacks.bind(attacks.pgd, eps=eps, steps=c["eval_steps"], generator=ctx.seed)
    report.results["cnn"] = {name: {"clean": _est(evaluate.accuracy(net, test.x, test.y)),
                                    "robust_pgd": _est(evaluate.robust_accuracy(net, test.x, test.y, pgd))}
                             for name, net in nets.items()}
    maps = {
        "standard-gradient": evaluate.gradient_saliency(nets["standard"], test.x, test.y),
        "standard-ig": evaluate.integrated_gradients(nets["standard"], test.x, test.y, steps=c["ig_steps"]),
        "standard-smoothgrad": evaluate.smoothgrad(nets["standard"], test.x, test.y, sigma=c["sg_sigma"],
                                                   samples=c["sg_samples"], input_range=1.0, generator=ctx.seed),
        "adversarial-gradient": evaluate.gradient_saliency(nets["adversarial"], test.x, test.y),
    }
    mask = test.x >= c["mask_threshold"]
    conc = {k: evaluate.concentration(v.cpu(), mask.cpu()).numpy() for k, v in maps.items()}
    ctx.predict(report, "saliency.gradient", 0.0, mean(conc["adversarial-gradient"] - conc["standard-gradient"]),
                relation=">")
    ctx.predict(report, "saliency.gradient-vs-smoothgrad", 0.0,
                mean(conc["adversarial-gradient"] - conc["standard-smoothgrad"]), relation=">")
    ys_test = test.y.cpu().numpy()
    show = [int(i) for lab in (-1.0, 1.0) for i in np.flatnonzero(ys_test == lab)[: int(c["n_show"]) // 2]]
    report.results["saliency"] = {
        "mask_threshold": float(c["mask_threshold"]), "mask_fraction": float(mask.float().mean()),
        "concentration": {k: _est(mean(v)) for k, v in conc.items()},
        "adversarial_gradient_minus": {k: _est(mean(conc["adversarial-gradient"] - v)) for k, v in conc.items()
                                       if k != "adversarial-gradient"},
        "examples": [{"label": int(ys_test[i]), "image": _img(test.x[i].cpu()),
                      "maps": {k: _img(v[i].cpu()) for k, v in maps.items()},
                      "concentration": {k: float(v[i]) for k, v in conc.items()}} for i in show],
    }

    # ---- 4. large-eps adversarial examples and interpolation
    x_train = train_img.x.flatten(1).cpu().numpy()
    y_train = train_img.y.cpu().numpy()
    mu_diff = x_train[y_train > 0].mean(axis=0) - x_train[y_train < 0].mean(axis=0)
    toward = -ys_test[:, None] * mu_diff[None, :]
    adv_x, align, flipped = {}, {}, {}
    for name, net in nets.items():
        xa = attacks.pgd(net, test.x, test.y, eps=c["eps_large"], norm="l2", steps=c["attack_steps_large"],
                         random_start=False, keep_best=False)
        adv_x[name] = xa
        align[name] = alignment((xa - test.x).cpu().numpy(), toward)
        with torch.no_grad():
            flipped[name] = _est(mean((torch.sign(net(xa)) != test.y).double().cpu().numpy()))
    ctx.predict(report, "large-eps.alignment", 0.0, mean(align["adversarial"] - align["standard"]), relation=">")
    ts = np.linspace(0.0, 1.0, int(c["interp_steps"]))
    interp = []
    for i in sorted({show[0], show[len(show) // 2]}):  # the first 5 and the first 7 shown
        row = {"label": int(ys_test[i]), "images": {}, "p7": {}}
        for name, net in nets.items():
            path = interpolation(test.x[i], adv_x[name][i], ts)
            row["images"][name] = [_img(p.cpu()) for p in path]
            row["p7"][name] = _p7(net, path)
        interp.append(row)
    report.results["large_eps"] = {
        "eps": float(c["eps_large"]), "norm": "l2", "class_mean_distance": float(np.linalg.norm(mu_diff)),
        "alignment": {k: _est(mean(v)) for k, v in align.items()}, "flipped": flipped,
        "examples": [{"label": int(ys_test[i]), "image": _img(test.x[i].cpu()),
                      "p7_clean": {k: _p7(net, test.x[i:i + 1])[0] for k, net in nets.items()},
                      "adv": {k: _img(v[i].cpu()) for k, v in adv_x.items()},
                      "p7": {k: _p7(nets[k], v[i:i + 1])[0] for k, v in adv_x.items()}} for i in show],
        "interpolation": {"t": ts.tolist(), "examples": interp},
    }
    return report


# --------------------------------------------------------------------------- figures


def _image(ax, img, *, signed=False, text=None, ylabel=""):
    a = np.asarray(img, dtype=np.float64)
    if signed:
        m = float(np.abs(a).max()) or 1.0
        im = ax.imshow(a, cmap="RdBu_r", vmin=-m, vmax=m)
    else:
        im = ax.imshow(a, cmap="gray", vmin=0.0, vmax=1.0)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)
    if text or ylabel:
        label(ax, "", ylabel, text, legend=False)
    return im


def _digit(lab) -> str:
    return str(PAIR[1] if lab > 0 else PAIR[0])


def _plot_weights(report, folder):
    lin = report["results"]["linear"]
    rho = np.asarray(lin["rho"])
    fig, axes = figure(4, width=14.0, height=3.6)
    im = _image(axes[0], rho, signed=True, text="pixel-label correlation rho (train split; red: 7, blue: 5)")
    fig.colorbar(im, ax=axes[0], shrink=0.8)
    for ax, name in zip(axes[1:3], ("standard", "adversarial"), strict=True):
        w = lin["weights"][name]
        im = _image(ax, w["w"], signed=True, text=f"{name} linear model: weights w (spread "
                    f"{w['spread']:.2f}, ||w||_1 = {w['l1']:.1f})")
        fig.colorbar(im, ax=ax, shrink=0.8)
    ax = axes[3]
    for name, color, marker in (("standard", "tab:blue", "o"), ("adversarial", "tab:red", "^")):
        w = np.asarray(lin["weights"][name]["w"]).ravel()
        ax.scatter(rho.ravel(), w / np.abs(w).sum(), s=18, color=color, marker=marker, alpha=0.75,
                   label=f"{name} (weighted mean |rho| {lin['weights'][name]['on_correlated']:.2f})")
    ax.axhline(0.0, color="grey", lw=0.8)
    label(ax, "pixel-label correlation rho_i", "weight share w_i / ||w||_1", "weight against correlation per pixel")
    title(fig, f"Digits 5 vs 7 (tsipras2019 Fig. 2a-b): linear models trained standardly and adversarially "
               f"(l-inf eps {report['config']['eps']:g}); adversarial training keeps a few strongly correlated pixels")
    return save(fig, folder / f"{NAME}.png")


def _plot_threshold(report, folder):
    r = report["results"]
    curve, cf = r["threshold_curve"], r["crossfit"]
    t = np.asarray(curve["thresholds"])
    fig, ax = figure(width=7.5, height=4.4)
    for kind, color in (("clean", "tab:blue"), ("robust", "tab:red")):
        v = np.array([e["value"] for e in curve[kind]])
        lo = np.array([e["low"] for e in curve[kind]])
        hi = np.array([e["high"] for e in curve[kind]])
        ax.plot(t, v, "o-", color=color, label=f"standard training on pixels |rho| >= tau: {kind}")
        ax.fill_between(t, lo, hi, color=color, alpha=0.15)
        ax.axhline(cf["adversarial"][kind]["value"], color=color, ls="--",
                   label=f"adversarial training, all pixels: {kind}")
    for ti, p in zip(t, curve["pixels"], strict=True):
        ax.annotate(f"{p:.0f}", (ti, 0.02), ha="center", fontsize=7, color="grey")
    ax.set_ylim(0.0, 1.04)
    label(ax, "correlation threshold tau (grey: mean number of pixels kept; tau = 0: all 64)",
          f"out-of-fold accuracy ({cf['n']} images, {cf['folds']} folds)",
          f"tsipras2019 Fig. 2c on digits 5 vs 7: clean and robust (l-inf eps {report['config']['eps']:g}) accuracy "
          f"of standard training restricted to the most correlated pixels; tau* chosen per fold: "
          f"{', '.join(f'{x:g}' for x in cf['chosen_thresholds'])}", legend=False)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.08), fontsize=7.5)
    return save(fig, folder / f"{NAME}-threshold.png")


def _plot_saliency(report, folder):
    s = report["results"]["saliency"]
    ex = s["examples"]
    cols = 1 + len(METHODS)
    fig, axes = figure(cols, len(ex) + 1, width=2.0 * cols, height=1.9)
    for row, e in zip(axes[:-1], ex, strict=True):
        _image(row[0], e["image"], text=f"test image ({_digit(e['label'])})")
        row[0].contour(np.asarray(e["image"]), levels=[s["mask_threshold"]], colors="gold", linewidths=0.8)
        for ax, m in zip(row[1:], METHODS, strict=True):
            _image(ax, e["maps"][m], signed=True, text=f"{_METHOD_SHORT[m]}\nconc. {e['concentration'][m]:.2f}")
            ax.contour(np.asarray(e["image"]), levels=[s["mask_threshold"]], colors="black", linewidths=0.6)
    gs = axes[-1, 0].get_subplotspec().get_gridspec()
    for ax in axes[-1]:
        ax.remove()
    ax = fig.add_subplot(gs[-1, :])
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, alpha=0.3)
    for i, m in enumerate(METHODS):
        e = s["concentration"][m]
        ax.errorbar([e["value"]], [i], xerr=[[e["value"] - e["low"]], [e["high"] - e["value"]]], fmt="o",
                    color="tab:red" if m.startswith("adversarial") else "tab:blue", capsize=3)
    ax.axvline(s["mask_fraction"], color="grey", ls=":", label=f"mask's share of pixels {s['mask_fraction']:.2f}")
    ax.set_yticks(range(len(METHODS)))
    ax.set_yticklabels([_METHOD_LABEL[m] for m in METHODS])
    ax.invert_yaxis()
    label(ax, f"mean concentration on the digit (share of |map| on pixels x >= {s['mask_threshold']:g}), "
              "99.9% interval", "")
    title(fig, "Saliency maps of the standard and the adversarially trained CNN (suggala2019 7.3; tsipras2019 Fig. 5); "
               "red / blue: positive / negative, each map on its own scale; contour: the digit mask")
    return save(fig, folder / f"{NAME}-saliency.png")


def _plot_large_eps(report, folder):
    le = report["results"]["large_eps"]
    ex = le["examples"]
    fig, axes = figure(len(ex), 3, width=2.1 * len(ex), height=2.0)
    axes = np.asarray(axes).reshape(3, len(ex))
    for j, e in enumerate(ex):
        _image(axes[0, j], e["image"], ylabel="original" if j == 0 else "",
               text=f"a {_digit(e['label'])}; P(7):\nstd {e['p7_clean']['standard']:.2f}, "
                    f"adv {e['p7_clean']['adversarial']:.2f}")
        for i, name in ((1, "standard"), (2, "adversarial")):
            _image(axes[i, j], e["adv"][name], ylabel=f"{name} CNN:\nx_adv" if j == 0 else "",
                   text=f"P(7) = {e['p7'][name]:.2f}")
    a = le["alignment"]
    title(fig, f"Large-eps adversarial examples (l2 PGD, eps {le['eps']:g}; ||mu_7 - mu_5|| = "
               f"{le['class_mean_distance']:.2f}) of the standard and the adversarially trained CNN "
               f"(tsipras2019 Fig. 3); "
               f"cosine of the perturbation with the other class's mean direction: standard "
               f"{a['standard']['value']:.2f}, adversarial {a['adversarial']['value']:.2f}")
    return save(fig, folder / f"{NAME}-large-eps.png")


def _plot_interpolation(report, folder):
    ip = report["results"]["large_eps"]["interpolation"]
    ts, ex = ip["t"], ip["examples"]
    rows = [(e, name) for e in ex for name in ("standard", "adversarial")]
    fig, axes = figure(len(ts), len(rows), width=1.6 * len(ts), height=1.9)
    axes = np.asarray(axes).reshape(len(rows), len(ts))
    for r, (e, name) in enumerate(rows):
        for j, t in enumerate(ts):
            _image(axes[r, j], e["images"][name][j], ylabel=f"{name} CNN,\na {_digit(e['label'])}" if j == 0 else "",
                   text=f"t = {t:.2f}\nP(7) = {e['p7'][name][j]:.2f}")
    title(fig, f"Interpolation x + t (x_adv - x) from a test image to its large-eps adversarial example "
               f"(l2 eps {report['results']['large_eps']['eps']:g}) for the standard and the adversarially "
               f"trained CNN (tsipras2019 Fig. 4), with the model's P(7)")
    return save(fig, folder / f"{NAME}-interpolation.png")


def _plot_predictions(report, folder):
    fig, ax = figure(width=9.0, height=4.6)
    plot_predictions(report, ax)
    label(ax, "paired difference (accuracy, weight statistic, concentration or cosine)", "", legend=False)
    ax.axvline(0.0, color="grey", lw=0.8)
    title(fig, "robust-features: each directional prediction of tsipras2019 / suggala2019 as a measured difference "
               "with its 99.9% interval, against 0")
    return save(fig, folder / f"{NAME}-predictions.png")


def plot(report: dict, folder) -> list:
    """The figures of a robust-features report, drawn from its JSON only."""
    from pathlib import Path

    folder = Path(folder)
    return [_plot_weights(report, folder), _plot_threshold(report, folder), _plot_saliency(report, folder),
            _plot_large_eps(report, folder), _plot_interpolation(report, folder), _plot_predictions(report, folder)]
