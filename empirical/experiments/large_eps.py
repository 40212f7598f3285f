"""large-eps: adversarial training at a large eps from a random start, against extended and iterative training.

Source: shaeiri2020 ("Towards deep learning models resistant to large perturbations"), section 3.1
(Experiment 1, Fig. 1 and Supplementary Fig. 8: on MNIST, Madry PGD training from random weights does
not decrease the training adversarial loss for l-inf eps above about 0.35; appendix B: "training a
robust network on 0.4 is not feasible when weights are randomly initialized"), section 3.1.2
(Experiment 2, Fig. 2: *extended adversarial training*, i.e. first train at a small eps, 0.3, then 5
epochs at the large eps, 0.4, from those weights, makes the loss decrease), Table 1 (MNIST test
accuracies: 0.3 -> 0.4 gives 91% robust accuracy at eps = 0.4, iterative training 0 -> 0.4 gives 91%,
the eps = 0.3 model 15%), section 3.4 (*iterative adversarial training*, IAT: eps grows linearly over
the epochs, Fig. 7) and appendix C (the checklist of evaluation sanity checks their models pass).

Four models of one architecture, from the same random initialization, are trained with Madry's PGD
objective (signed l-inf PGD with a random start, step 2.5 eps / steps, the training attack of
shaeiri2020 section 3.1.1), Adam, lr ``lr``, for the same number of epochs T = ``epochs`` +
``extend_epochs``, the last ``extend_epochs`` of them at the large radius eps = ``eps`` for the three
compared models:

- ``base``: ``epochs`` epochs at ``eps_small`` (the paper's baseline "adversarial training (eps = 0.3)");
- ``scratch``: T epochs at eps (training at the large eps from random weights);
- ``extended``: ``base``, then ``extend_epochs`` epochs at eps from its weights (``Trainer(init_from=)``);
- ``iterative``: ``train.iterative(eps, epochs)``: eps grows by eps / ``epochs`` per epoch up to eps,
  then ``extend_epochs`` more epochs at eps.

Evaluation at eps: the robust correctness of every example under the per-example worst case of PGD
(``eval_steps`` steps, ``eval_restarts`` restarts) and ``attacks.auto_attack`` (APGD-CE, APGD-T with
``aa_targets`` targets), on the test set and on the training set; the training adversarial loss at the
final weights (per example, the training attack of the objective: PGD, ``steps`` steps, last iterate);
and ``evaluate.sanity_checklist`` at eps on the test set for every model (the base model is the
transfer source of the other three, as in shaeiri2020 appendix C item 11).

Predictions (ids ``experiments.large-eps.<key>``):

- ``extended-vs-scratch.robust-accuracy``, ``iterative-vs-scratch.robust-accuracy``: the paired
  per-test-example difference of robust correctness at eps (extended minus scratch, iterative minus
  scratch), ``theory.montecarlo.mean``, is > 0 (Table 1's ordering; scratch training fails).
- ``scratch.train-loss-at-chance``: scratch training does not bring the training adversarial loss at eps
  below chance: the mean per-example loss at the final weights is >= the entropy of the training
  labels, the cross-entropy of the best constant predictor (log 10 for balanced classes; Fig. 1).
- ``extended.train-loss-below-chance``, ``iterative.train-loss-below-chance``: for them it is < that
  entropy (Fig. 2, Fig. 7).
- ``<model>.floor`` (all four models): the robust training error at eps is >=
  ``theory.hardness.optimal_robust_error`` of the training sample (shaeiri2020 Definitions 4-5, exact
  here: no classifier does better on the sample); a measurement below it would prove the attack too weak.
- ``extended.sanity``, ``iterative.sanity``: shaeiri2020 appendix C reports that their large-eps models
  pass every check; measured is the share of the checks run by ``evaluate.sanity_checklist`` that fail
  as the paper words them (:func:`failed_share`: the checklist's verdict, each check a paired sign test
  at confidence 0.999, and for "more steps" / "more restarts", which the paper words "should not affect
  ... significantly" but the checklist tests one-sided, also a significant *drop*:
  :func:`two_sided_changes`), predicted upper bound 0: the prediction fails iff some check fails (the
  interval, a Clopper-Pearson interval over the checks, only carries the count). The checklists of all
  four models are recorded (``results["sanity"]``, the checklist's failures in
  ``results["sanity_failed"]``, the two-sided reading in ``results["sanity_two_sided"]``); ``base`` and
  ``scratch`` get no prediction: the paper makes no claim about them.

Configurations. ``quick``: scikit-learn's 8x8 digits (``data.digits``: 1,347 train / 450 test, 10
classes), ``models.DigitsCNN`` width 8, eps 0.4, eps_small 0.3, 40 + 5 epochs (the iterative ramp
rises by the paper's 0.01 per epoch), batch 32. The radius was chosen in development from
scratch-training loss curves alone (seed 0, 7 PGD steps, Adam lr 1e-3):
scratch training at eps = 0.3 leaves the log 10 plateau after about 13 epochs, at 0.35 after about 48,
and at 0.4 and 0.5 it stays there for all 60 epochs tried (also with lr 3e-3 and with width 16), so
eps = 0.4, the paper's own MNIST radius, is where scratch training visibly fails, and 0.3, the largest
radius tried that trains from scratch, is eps_small (the paper's 0.3 -> 0.4). The digits are coarser than
MNIST: their optimal robust training error at 0.4 is not 0 but 0.3207 (at 0.35: 0.1656, at 0.3:
0.0208), so the floor predictions bite here. ``full``: the shipped 5,000-image MNIST subset
(``data.mnist``: 4,000 train / 1,000 test), ``models.MadryCNN`` (the TensorFlow-tutorial CNN of the
paper), eps 0.4, eps_small 0.3, 40 + 5 epochs, 20 PGD steps (the paper's eps * 2.5 / 0.05), batch 64
(the subset has 1/15 of MNIST: a smaller batch for more steps per epoch). On the MNIST subset the
optimal robust error at 0.4 is 0: no two training images of different classes are within l-inf
distance 0.8.

Found in development (quick, seed 0; details in docs/experiments/large-eps.md, "Measured"): scratch
training stays at chance (loss 2.303, a constant classifier with 10.2% clean = robust accuracy: held);
extended training lowers the training adversarial loss below chance (1.79: held) but its robust test
accuracy under the strongest attack, 0.060, is not above the constant classifier's (difference -0.042
[-0.103, 0.019]: inconclusive; seed 1: did not hold), while under the training attack it is 0.264:
the training attack overstates its robustness, and more restarts lower its PGD accuracy
significantly (the two-sided reading of appendix C item 4: ``extended.sanity`` did not hold; the
checklist itself passes every model). Iterative training's loss falls to 0.52 while eps is small and
rises back above chance from eps = 0.34 on (did not hold), ending with robust accuracy 0 (did not
hold). Every model is far above the floor 0.32.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from empirical import _core, attacks, data, evaluate, models
from empirical.experiments import Context, experiment
from empirical.objectives import Madry
from empirical.report import plot_predictions
from empirical.train import Trainer, adam, constant, iterative
from theory import hardness
from theory.figures import figure, label, save, title
from theory.montecarlo import Estimate, mean, proportion

NAME = "large-eps"
MODELS = ("base", "scratch", "extended", "iterative")
COMPARED = ("scratch", "extended", "iterative")
COLORS = {"base": "tab:gray", "scratch": "tab:red", "extended": "tab:blue", "iterative": "tab:green"}


# ------------------------------------------------------------------------------------------ helpers


def label_entropy(y, classes: int) -> float:
    """The entropy (nats) of the empirical label distribution: the smallest mean cross-entropy of any
    constant predictor on these labels (attained by predicting the label frequencies), log(classes) for
    balanced labels. What "chance level" means for a training loss."""
    counts = np.bincount(np.asarray(y, dtype=np.int64).ravel(), minlength=classes).astype(np.float64)
    if counts.sum() == 0:
        raise ValueError("label_entropy needs at least one label")
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def adversarial_losses(model, x, y, *, eps: float, steps: int, generator, batch_size: int = 512) -> torch.Tensor:
    """Per-example loss (cross-entropy) at the training attack of ``Madry(steps=steps)``: l-inf PGD
    with a random start, step 2.5 eps / steps, the last iterate (``keep_best=False``), inputs in [0, 1].
    The model is evaluated as it is (call ``.eval()`` first); float64 tensor (N,) on the CPU."""
    device = next(model.parameters()).device
    out = []
    for s in range(0, x.shape[0], batch_size):
        xb, yb = x[s:s + batch_size].to(device), y[s:s + batch_size].to(device)
        x_adv = attacks.pgd(model, xb, yb, eps=eps, steps=steps, keep_best=False, generator=generator)
        with torch.no_grad():
            out.append(_core.loss_per_example(model(x_adv), yb).double().cpu())
    return torch.cat(out)


def stitch_curves(first: list[dict], second: list[dict] | None = None) -> dict:
    """One loss curve from a run's per-epoch metrics (``Trainer.fit()`` / metrics.jsonl) and, optionally, a
    run started from its weights (numbered on after the first: epoch ``len(first) + e``)."""
    rows = [dict(r) for r in first] + [dict(r, epoch=len(first) + r["epoch"]) for r in (second or [])]
    return {k: [r[k] for r in rows] for k in ("epoch", "eps", "train_loss", "train_adv_acc")}


def estimate_json(e: Estimate) -> dict:
    """An Estimate as plain JSON."""
    return {"value": float(e.value), "low": float(e.low), "high": float(e.high), "n": int(e.n)}


def _plain(v):
    if isinstance(v, Estimate):
        return estimate_json(v)
    if isinstance(v, dict):
        return {str(k): _plain(u) for k, u in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(u) for u in v]
    if isinstance(v, bool | int | float | str) or v is None:
        return v
    return float(v)


def sanity_json(report: evaluate.SanityReport) -> dict:
    """A :class:`empirical.evaluate.SanityReport` as plain JSON: overall pass, clean accuracy, each check
    (passed, description, measured numbers) and the checks skipped."""
    return {"passed": bool(report.passed), "clean_accuracy": estimate_json(report.clean_accuracy),
            "checks": {c.name: {"passed": bool(c.passed), "description": c.description, "measured": _plain(c.measured)}
                       for c in report.checks},
            "skipped": list(report.skipped)}


TWO_SIDED = ("more_steps", "more_restarts")
"""The checks that shaeiri2020 appendix C words two-sided ("should not affect ... significantly", items 4-5)
but :func:`empirical.evaluate.sanity_checklist` tests one-sided (a stronger attack must not *raise* accuracy)."""


def two_sided_changes(report: evaluate.SanityReport, confidence: float = 0.999) -> dict:
    """For the checks of :data:`TWO_SIDED`: does the stronger attack change the robust accuracy significantly
    in either direction? From the check's own discordant counts (b: robust under the stronger attack only,
    c: under the reference only), the Clopper-Pearson interval of b / (b + c) at ``confidence``; ``changed``
    iff it excludes 1/2 (``lower``: it lies below, the reference attack overestimates robustness). A check
    that passes one-sided and has ``lower`` is the paper's failure "more restarts / steps change the
    accuracy", which the checklist does not flag."""
    out = {}
    for name in TWO_SIDED:
        try:
            b, c = report[name].measured["discordant"]
        except KeyError:
            continue
        entry = {"discordant": [int(b), int(c)], "changed": False, "lower": False}
        if b + c:
            e = proportion(int(b), int(b + c), confidence)
            entry.update(share_b=estimate_json(e), changed=bool(e.low > 0.5 or e.high < 0.5), lower=bool(e.high < 0.5))
        out[name] = entry
    return out


def failed_share(report: evaluate.SanityReport, confidence: float = 0.999) -> Estimate:
    """The share of the checks run that fail as shaeiri2020 appendix C words them: the checklist's own
    verdict, and for :data:`TWO_SIDED` also a significant change in either direction
    (:func:`two_sided_changes`). A proportion over the checks: its interval only carries the count; a
    prediction "<= 0" on it fails iff some check fails."""
    two = two_sided_changes(report, confidence)
    failed = sum((not c.passed) or two.get(c.name, {}).get("changed", False) for c in report.checks)
    return proportion(failed, len(report.checks))


# ------------------------------------------------------------------------------------------ plot


def _bar(ax, x, est: dict, color, hatch, alpha):
    v = est["value"]
    ax.bar([x], [v], width=0.19, color=color, alpha=alpha, hatch=hatch, edgecolor="black", lw=0.5)
    ax.errorbar([x], [v], yerr=[[v - est["low"]], [est["high"] - v]], fmt="none", ecolor="black", capsize=2, lw=1)


def _sub_report(report: dict, keep) -> dict:
    """The report with only the predictions whose key (id without the experiment prefix) passes ``keep``."""
    cut = f"experiments.{report['experiment']}."
    return dict(report, predictions=[p for p in report["predictions"] if keep(p["id"].removeprefix(cut))])


def plot(report: dict, folder):
    """large-eps.png: training adversarial loss and eps per epoch, clean / robust accuracy with intervals and
    the optimal robust accuracy, the sanity checklist of every model, and the predictions."""
    res, c = report["results"], report["config"]
    eps, eps_s, e0 = c["eps"], c["eps_small"], c["epochs"]
    fig, axes = figure(3, 2, width=17.0, height=4.5)
    (ax_loss, ax_acc, ax_sane), (ax_eps, ax_pred, ax_lpred) = axes
    curves = res["curves"]
    names = {"scratch": f"scratch: eps {eps:g} from random weights",
             "extended": f"extended: eps {eps_s:g} (= base), then {eps:g} from epoch {e0 + 1}",
             "iterative": f"iterative: eps 0 -> {eps:g} over {e0} epochs, then {eps:g}"}

    # (a) training adversarial loss against epoch
    for m in COMPARED:
        cv = curves[m]
        ax_loss.plot(cv["epoch"], cv["train_loss"], "-o", ms=2.5, lw=1.3, color=COLORS[m], label=names[m])
    ax_loss.axhline(res["chance_loss"], color="black", ls=":", lw=1.2, zorder=5,
                    label=f"chance: label entropy {res['chance_loss']:.3f} nats (log 10 = {math.log(10):.3f})")
    ax_loss.axvline(e0 + 0.5, color="gray", ls="--", lw=0.8)
    top = max(max(max(curves[m]["train_loss"]) for m in COMPARED), res["chance_loss"])
    ax_loss.set_ylim(0, top * 1.7)
    ax_loss.text(e0 + 0.8, 0.03 * top, f"last {c['extend_epochs']}\nepochs:\nall at\neps {eps:g}", fontsize=7.5,
                 color="gray", va="bottom")
    label(ax_loss, "epoch", "training adversarial loss (cross-entropy, nats)",
          f"training adversarial loss (Madry PGD-{c['steps']})",
          legend=False)
    ax_loss.legend(loc="upper right", fontsize=7.5)

    # (d) the eps of every epoch
    for m, ls in zip(COMPARED, ("-", "--", "-."), strict=True):
        cv = curves[m]
        ax_eps.step(cv["epoch"], cv["eps"], where="mid", ls=ls, lw=1.6, color=COLORS[m], label=names[m])
    ax_eps.set_ylim(0, eps * 1.6)
    label(ax_eps, "epoch", "training l-inf radius eps", "the eps schedules",
          legend=False)
    ax_eps.legend(loc="upper left", fontsize=7.5)

    # (b) clean and robust accuracy with intervals
    acc = res["accuracy"]
    bars = (("clean_test", "//", 0.45, "clean (test)"),
            ("robust_test_training_attack", "xx", 0.45, f"robust, training attack PGD-{c['steps']} (test)"),
            ("robust_test", None, 0.9, "robust, strongest attack (test)"),
            ("robust_train", "..", 0.45, "robust, strongest attack (train)"))
    for i, m in enumerate(MODELS):
        for j, (key, hatch, alpha, _) in enumerate(bars):
            _bar(ax_acc, i + 0.2 * (j - 1.5), acc[m][key], COLORS[m], hatch, alpha)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor="lightgray" if hatch is None else "white", hatch=hatch, edgecolor="black", label=text)
               for _, hatch, _, text in bars]
    opt = 1.0 - res["floor"]
    handles.append(ax_acc.axhline(opt, color="black", ls="--", lw=1.2,
                                  label=f"optimal robust accuracy, training sample ({opt:.3f})"))
    ax_acc.set_xticks(range(len(MODELS)))
    ax_acc.set_xticklabels([f"{m}\n({eps_s:g})" if m == "base" else m for m in MODELS])
    ax_acc.set_ylim(0, 1.55)
    ax_acc.set_yticks(np.linspace(0, 1, 6))
    label(ax_acc, f"model (strongest attack: worst case of PGD-{c['eval_steps']} x {c['eval_restarts']}, "
          "APGD-CE, APGD-T)", "accuracy (99.9% intervals)",
          f"clean and robust accuracy at l-inf eps {eps:g}", legend=False)
    ax_acc.legend(handles=handles, loc="upper center", fontsize=7.5)

    # (c) sanity checklist grid
    sane = res["sanity"]
    order = [n for m in MODELS for n in sane[m]["checks"]]
    checks = sorted(set(order), key=order.index)
    # 0 fail, 1/3 not run, 2/3 passed one-sided but the accuracy drops significantly (two-sided reading), 1 pass
    grid = np.full((len(MODELS), len(checks)), 1 / 3)
    two = res.get("sanity_two_sided", {})
    from matplotlib.colors import ListedColormap

    text = {0: "FAIL", 1: "n/a", 2: "pass*", 3: "pass"}
    for i, m in enumerate(MODELS):
        for j, k in enumerate(checks):
            if k in sane[m]["checks"]:
                grid[i, j] = 0.0 if not sane[m]["checks"][k]["passed"] else \
                    2 / 3 if two.get(m, {}).get(k, {}).get("lower") else 1.0
            code = int(round(grid[i, j] * 3))
            ax_sane.text(j, i, text[code], ha="center", va="center", fontsize=8.5,
                         weight="bold" if code in (0, 2) else "normal")
    ax_sane.imshow(grid, cmap=ListedColormap(["#e06666", "#d9d9d9", "#f6b26b", "#b6d7a8"]), vmin=0, vmax=1,
                   aspect="auto")
    ax_sane.set_xticks(range(len(checks)))
    ax_sane.set_xticklabels([k.replace("_", " ") for k in checks], rotation=30, ha="right", fontsize=8)
    ax_sane.set_yticks(range(len(MODELS)))
    ax_sane.set_yticklabels(MODELS)
    ax_sane.grid(False)
    label(ax_sane, "check (99.9% paired sign tests). pass*: passes, but\nthe stronger attack lowers the accuracy "
          "\nsignificantly (a failure as app. C words it)", "",
          f"sanity checklist at eps {eps:g} on the test set (shaeiri2020 app. C)", legend=False)

    # (e), (f) the predictions, on two scales
    losses = _sub_report(report, lambda k: "train-loss" in k)
    plot_predictions(_sub_report(report, lambda k: "train-loss" not in k), ax_pred)
    label(ax_pred, "robust training error (floor); robust-accuracy difference; share of failed checks", "",
          "predictions: floors, differences, checklist", legend=False)
    plot_predictions(losses, ax_lpred)
    label(ax_lpred, f"training adversarial loss at eps {eps:g}, final weights (nats)", "",
          "predictions: loss against chance", legend=False)
    for ax in (ax_pred, ax_lpred):  # a blank band under the rows for the legend, off the data
        leg, rows = ax.get_legend(), len(ax.get_yticks())
        if leg is not None:
            ax.set_ylim(rows - 0.5 + 0.22 * rows + 1.0, -0.5)
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(handles, labels, loc="lower center", ncol=3 if ax is ax_pred else 2, fontsize=7.5)
    title(fig, f"shaeiri2020 on {res['dataset']}: adversarial training at l-inf eps {eps:g} from random weights "
               f"(scratch) against extended ({eps_s:g} -> {eps:g}) and iterative (0 -> {eps:g}) training, "
               f"seed {report['seeds'][0]}")
    return [save(fig, folder / f"{NAME}.png")]


# ------------------------------------------------------------------------------------------ experiment


def _load(c):
    if c["dataset"] == "digits":
        return data.digits("train"), data.digits("test")
    if c["dataset"] == "mnist":
        return data.mnist("train"), data.mnist("test")
    raise ValueError(f"dataset must be 'digits' or 'mnist', got {c['dataset']!r}")


def _model(c, seed):
    if c["dataset"] == "digits":
        return models.DigitsCNN(10, width=c["width"], generator=seed)
    return models.MadryCNN(generator=seed)


@experiment(
    NAME,
    description="shaeiri2020 section 3: Madry training at a large l-inf eps from random weights fails (loss at "
                "chance), extended (small eps first) and iterative (eps ramp) training do not; robust accuracy, "
                "the optimal robust error as a floor, and the sanity checklist for every model",
    predictions={
        "extended-vs-scratch.robust-accuracy": "robust test accuracy at eps: extended minus scratch training, "
                                               "paired per example, is > 0 (shaeiri2020 Table 1)",
        "iterative-vs-scratch.robust-accuracy": "robust test accuracy at eps: iterative minus scratch training, "
                                                "paired per example, is > 0 (shaeiri2020 Table 1, section 3.4)",
        "scratch.train-loss-at-chance": "training at eps from random weights: the training adversarial loss at the "
                                        "final weights is >= the label entropy (chance; shaeiri2020 Fig. 1)",
        "extended.train-loss-below-chance": "extended training: the training adversarial loss at eps at the final "
                                            "weights is < the label entropy (shaeiri2020 Fig. 2)",
        "iterative.train-loss-below-chance": "iterative training: the training adversarial loss at eps at the final "
                                             "weights is < the label entropy (shaeiri2020 Fig. 7)",
        **{f"{m}.floor": f"{m}: the robust training error at eps is >= hardness.optimal_robust_error of the "
           "training sample (shaeiri2020 Definitions 4-5)" for m in MODELS},
        **{f"{m}.sanity": f"{m} training: no check of evaluate.sanity_checklist fails, and more PGD steps or "
           "restarts do not change the robust accuracy significantly (shaeiri2020 app. C, items 4-5 as worded)"
           for m in ("extended", "iterative")},
    },
    quick=dict(dataset="digits", width=8, eps=0.4, eps_small=0.3, epochs=40, extend_epochs=5, steps=7, lr=1e-3,
               batch_size=32, eval_steps=50, eval_restarts=2, aa_steps=50, aa_targets=3, sanity_steps=[10, 40]),
    full=dict(dataset="mnist", width=0, eps=0.4, eps_small=0.3, epochs=40, extend_epochs=5, steps=20, lr=1e-3,
              batch_size=64, eval_steps=200, eval_restarts=5, aa_steps=100, aa_targets=9, sanity_steps=[20, 200]),
    tiny=dict(width=4, epochs=2, extend_epochs=1, steps=2, eval_steps=3, eval_restarts=1, aa_steps=3, aa_targets=1,
              sanity_steps=[2, 4]),
    quick_cost="about 1 min on one CPU core", full_cost="tens of minutes on a GPU (the MNIST floor: ~2 min of CPU)",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    report = ctx.report()
    eps, eps_s, seed = float(c["eps"]), float(c["eps_small"]), ctx.seed
    train, test = _load(c)
    train, test = train.to(ctx.device), test.to(ctx.device)
    total = c["epochs"] + c["extend_epochs"]
    objective = Madry(steps=c["steps"])

    def fit(name, schedule, epochs, init_from=None):
        model = _model(c, seed)
        history = Trainer(model, train, objective, schedule, epochs, optimizer=adam(lr=c["lr"]),
                          batch_size=c["batch_size"], seed=seed, out_dir=ctx.out / f"train-{name}", device=ctx.device,
                          init_from=init_from, progress=ctx.progress).fit()
        return model.eval(), history

    trained, curves = {}, {}
    trained["base"], h_base = fit("base", constant(eps_s), c["epochs"])
    trained["scratch"], h = fit("scratch", constant(eps), total)
    curves["scratch"] = stitch_curves(h)
    trained["extended"], h = fit("extended", constant(eps), c["extend_epochs"], init_from=ctx.out / "train-base")
    curves["base"], curves["extended"] = stitch_curves(h_base), stitch_curves(h_base, h)
    trained["iterative"], h = fit("iterative", iterative(eps, c["epochs"]), total)
    curves["iterative"] = stitch_curves(h)

    def strongest():
        g = torch.Generator(device=ctx.device).manual_seed(seed)
        return attacks.ensemble(
            attacks.bind(attacks.pgd, eps=eps, steps=c["eval_steps"], restarts=c["eval_restarts"], generator=g),
            attacks.auto_attack(eps, steps=c["aa_steps"], n_target_classes=c["aa_targets"], generator=g))

    chance = label_entropy(train.y.cpu().numpy(), 10)
    flat = train.flat().x.double().cpu().numpy()
    floor = hardness.optimal_robust_error(flat, train.y.cpu().numpy(), None, eps, norm=np.inf)
    accuracy, robust_test, losses, sanity = {}, {}, {}, {}
    for m in MODELS:
        model = trained[m]
        robust_test[m] = evaluate.robust_correctness(model, test.x, test.y, strongest())
        robust_train = evaluate.robust_correctness(model, train.x, train.y, strongest())
        n_tr, n_te = robust_train.numel(), robust_test[m].numel()
        accuracy[m] = {
            "clean_test": estimate_json(evaluate.accuracy(model, test.x, test.y)),
            "clean_train": estimate_json(evaluate.accuracy(model, train.x, train.y)),
            "robust_test": estimate_json(proportion(int(robust_test[m].sum()), n_te)),
            "robust_train": estimate_json(proportion(int(robust_train.sum()), n_tr)),
            "robust_test_training_attack": estimate_json(evaluate.robust_accuracy(
                model, test.x, test.y, attacks.bind(attacks.pgd, eps=eps, steps=c["steps"], generator=seed))),
        }
        ctx.predict(report, f"{m}.floor", floor, proportion(int((~robust_train).sum()), n_tr), relation=">=")
        g = torch.Generator(device=ctx.device).manual_seed(seed)
        losses[m] = adversarial_losses(model, train.x, train.y, eps=eps, steps=c["steps"], generator=g)
        sanity[m] = evaluate.sanity_checklist(model, test.x, test.y, eps=eps, generator=seed,
                                              steps=tuple(c["sanity_steps"]),
                                              source_model=None if m == "base" else trained["base"])

    for m in ("extended", "iterative"):
        diff = (robust_test[m].double() - robust_test["scratch"].double()).numpy()
        ctx.predict(report, f"{m}-vs-scratch.robust-accuracy", 0.0, mean(diff), relation=">")
    ctx.predict(report, "scratch.train-loss-at-chance", chance, mean(losses["scratch"].numpy()), relation=">=")
    for m in ("extended", "iterative"):
        ctx.predict(report, f"{m}.train-loss-below-chance", chance, mean(losses[m].numpy()), relation="<")
    for m in ("extended", "iterative"):
        ctx.predict(report, f"{m}.sanity", 0.0, failed_share(sanity[m]), relation="<=")

    report.results.update({
        "dataset": "8x8 digits" if c["dataset"] == "digits" else "MNIST (5,000-image subset)",
        "n_train": int(train.y.numel()), "n_test": int(test.y.numel()),
        "chance_loss": chance, "floor": floor, "curves": curves, "accuracy": accuracy,
        "train_adv_loss": {m: estimate_json(mean(losses[m].numpy())) for m in MODELS},
        "robust_test_differences": {
            f"{m}-minus-{o}": estimate_json(mean((robust_test[m].double() - robust_test[o].double()).numpy()))
            for m, o in (("extended", "scratch"), ("iterative", "scratch"), ("extended", "base"),
                         ("iterative", "base"), ("extended", "iterative"))},
        "sanity": {m: sanity_json(sanity[m]) for m in MODELS},
        "sanity_failed": {m: [k.name for k in sanity[m].checks if not k.passed] for m in MODELS},
        "sanity_two_sided": {m: two_sided_changes(sanity[m]) for m in MODELS},
    })
    return report
