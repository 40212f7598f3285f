"""trades-tightness: both sides of zhang2019 Theorem 3.1 (corrected) for TRADES-trained digit classifiers.

Source: zhang2019 ("Theoretically principled trade-off between robustness and accuracy"),
Theorem 3.1 (section 3.1, proof in appendix B.1) and section 5.1 / Table 3 ("optimality of
Theorem 3.1"): binary MNIST '1' (negative) against '3' (positive), a single-logit CNN trained
with problem (3) and the hinge loss phi(a) = max(1 - a, 0) (psi(theta) = theta, Table 2) for
lambda in {2, 3, 4, 5}; eps = 0.1 (l-inf); Table 3 reports A_rob, R_phi(f) and Delta = Delta_RHS -
Delta_LHS = 0.0067, 0.0059, 0.0068, 0.0059, "very small". Here: the 8x8 scikit-learn digits 1 vs 3
(``empirical.data.digits``, pixels in [0, 1]) and the small ``models.DigitsCNN(classes=1)``.

Theorem 3.1 with the corrected boundary term (docs/errata.md item 7, ``zhang2019.thm3.1``: as
printed, with ``f(X)Y > 0``, it fails for scores vanishing on a set of positive mass)::

    A  := R_rob(f) - R*_nat
       <= B1 := psi^{-1}(R_phi(f) - R*_phi) + P(X in B(DB(f), eps), sign f(X) = Y)
       <= B2 := psi^{-1}(R_phi(f) - R*_phi) + E max_{X' in B(X, eps)} phi(f(X') f(X) / lambda),

B2 being the right-hand side Table 3 evaluates (its Delta_RHS). Everything is measured per example
on the data: the clean hinge loss phi(y f(x)) (``theory.calibration.get_loss("hinge")``), the sign
error 1{sign f(x) != y} (sign(0) = -1), the robust 0-1 error under ``attacks.auto_attack`` (APGD-CE
then targeted APGD with the margin loss) at the true labels, and a second, independent attack
(the same ensemble, another seed) at the pseudo-labels s = sign f(x), which minimizes s f(x') and
with it maximizes phi(f(x') f(x) / lambda) (phi is non-increasing): a correctly classified point
it flips (f(x) f(x') <= 0) lies in B(DB(f), eps) (the boundary term), and the regularizer is
phi(f(x') f(x) / lambda) at its output. psi^{-1} is ``theory.calibration.psi_inverse`` (the
identity on [0, 1] for the hinge loss; B1 is ``theory.calibration.trades_upper_bound``); its
sampling error enters the per-example differences linearized (delta method, exact for the hinge).

R*_nat and R*_phi. The theorem is applied to the empirical distribution of each split: its Bayes
0-1 risk is E min(eta, 1 - eta) and its minimal phi-risk E H(eta(X)) (``conditional_risk``) with
eta the label frequency among identical images; without conflicting duplicates both are 0. The
run computes them and checks R*_nat against ``theory.hardness.optimal_robust_error(x, labels,
None, 0.0)``. For the training sample that is the exact statement of the theorem for the sample;
for the test split, read as a sample of the digits distribution D, R*_nat(D) and R*_phi(D) are
unknown: the paper plugs in the values of a naturally trained classifier (0 and 0.0), and the
sample's own values (also 0 here) are used the same way. For the hinge loss R*_phi = 2 R*_nat
(H(eta) = 2 min(eta, 1 - eta)), so with psi^{-1} linear the population gap B1 - A is the measured one
minus the unknown R*_nat(D) >= 0. A naturally trained model (hinge loss, the paper's way of
estimating R*) is trained and measured too.

Predictions (ids ``experiments.trades-tightness.<model>.<split>.<inequality>``, model ``lam<l>``
for TRADES at lambda = l, and ``standard``; split ``train`` / ``test``):

- ``first``: B1 - A >= 0 (the corrected first inequality), the paired per-example difference
  phi-part + boundary_i - roberr_i + R*_nat with its t-interval;
- ``trades`` (TRADES models only): B2 - B1 >= 0, the per-example regularizer minus boundary.

Both are implied per example when the attacks are exact (R_rob = P(sign f != Y) + boundary term,
and phi(f f' / lambda) >= 1 for a flipped point), so a failure measures the attacks: ``first``
fails where the robust attack breaks points the boundary attack does not (the identity's
violations are recorded as ``identity_violations``), and with exact attacks B1 - A is attack-free:
psi^{-1}(R_phi - R*_phi) - (P(sign f != Y) - R*_nat), BJM06's slack (``bjm_gap``). Table 3's
observation, that B2 - A is small, is not a prediction: its numbers are for 28x28 MNIST and the
paper's CNN; B - A per lambda is reported in ``results`` beside the paper's values.

Training: problem (3) with the hinge loss (:class:`HingeTrades`, the default ``objective="hinge"``)
or the engine's multi-class form (5), :class:`empirical.objectives.Trades` with beta = 1 / lambda
(``objective="kl"``); measured for any f either way, Theorem 3.1 does not depend on how f was trained.

TRADES runs start from the naturally trained model's weights (zhang2019 Algorithm 1 allows a
pre-trained start): from random weights the run at lambda = 2 collapsed to a constant classifier.

Found in development (seed 0, quick; docs/experiments/trades-tightness.md): every prediction held,
the two attacks agreed on every example. Hinge training drives the margins to >= 1 (R_phi = 0 on the
training split, <= 0.011 on the test split), so B1 = A up to BJM06's slack: the first inequality is
tight, and the gap of Table 3 is the regularizer's, B2 - B1 = 0.025-0.036 on the test split
(B2 ~ 1.9-2.7 A; Table 3's numbers give B2 ~ 1.9-2.2 A on MNIST).
"""

from __future__ import annotations

import numpy as np
import torch

from empirical import attacks, data, evaluate, models
from empirical._core import DEFAULT_DOMAIN, check_domain, check_int, check_labels, check_real, eval_mode, predict
from empirical.experiments import Context, experiment
from empirical.objectives import Objective, ObjectiveOutput, Standard, Trades
from empirical.train import Trainer, constant, sgd
from theory import calibration, hardness
from theory.figures import figure, label, save, title
from theory.montecarlo import Estimate, mean, proportion

LOSS = "hinge"
LAMS = (2.0, 3.0, 4.0, 5.0)
SPLITS = ("train", "test")
PAPER_TABLE3 = {"2": 0.006708, "3": 0.005914, "4": 0.006757, "5": 0.005860}
"""zhang2019 Table 3: Delta = Delta_RHS - Delta_LHS per lambda (binary MNIST 1 vs 3, eps 0.1)."""


def _hinge_t(a: torch.Tensor) -> torch.Tensor:
    return torch.clamp(1.0 - a, min=0.0)


class HingeTrades(Objective):
    """zhang2019 problem (3) with the hinge loss, for a binary single-logit model:

        mean_i [ phi(y_i f(x_i)) + phi(f(x_i) f(x'_i) / lam) ],  phi(a) = max(1 - a, 0),
        x'_i ~ argmax_{x' in B(x_i, eps)} phi(f(x_i) f(x') / lam).

    Since phi is non-increasing, the inner maximum is the minimum of s_i f(x') with s_i = sign
    f(x_i) (the model's own prediction, in eval mode): :func:`empirical.attacks.pgd` at the
    pseudo-labels s_i (the logistic loss of s_i f(x') has the same maximizer and, unlike the flat
    part of the hinge, a gradient everywhere). The gradient of the outer loss flows through f(x)
    and f(x'), as in TRADES. (Proposed for :mod:`empirical.objectives`.)

    Parameters
    ----------
    lam : float > 0, the paper's lambda
    steps : int >= 1, PGD iterations of the inner maximization (the paper's K)
    alpha : float > 0 or None, the PGD step (None: the attack's default 2.5 eps / steps)
    domain : (lo, hi) or None
    """

    name = "trades-hinge"

    def __init__(self, lam=1.0, steps=10, alpha=None, domain=DEFAULT_DOMAIN):
        self.lam = check_real(lam, "lam", strict=True)
        self.steps = check_int(steps, "steps")
        self.alpha = check_real(alpha, "alpha", strict=True, allow_none=True)
        self.domain = check_domain(domain)

    def _params(self):
        return {"lam": self.lam, "steps": self.steps, "alpha": self.alpha, "domain": self.domain}

    def compute(self, model, x, y, *, eps, generator=None, attack_model=None):
        eps = check_real(eps, "eps")
        target = model if attack_model is None else attack_model
        if eps == 0.0:
            x_adv = x.detach()
        else:
            with eval_mode(target), torch.no_grad():
                s = predict(target(x))
            x_adv = attacks.pgd(target, x, s, eps=eps, alpha=self.alpha, steps=self.steps, generator=generator,
                                domain=self.domain, keep_best=False).detach()
        z, z_adv = model(x).reshape(-1), model(x_adv).reshape(-1)
        check_labels(z, y)
        loss = _hinge_t(y * z).mean() + _hinge_t(z * z_adv / self.lam).mean()
        return ObjectiveOutput(loss, z, z_adv, x_adv)


def sample_optimum(points, labels, loss=LOSS) -> tuple[float, float]:
    """(R*_nat, R*_phi) of the empirical distribution of a labelled sample (labels +-1).

    Identical points are pooled: eta(x) is the fraction of +1 among them; R*_nat = E min(eta, 1 -
    eta), R*_phi = E H(eta) (``theory.calibration.conditional_risk``). Both are 0 when no two
    identical points carry different labels.
    """
    x = np.asarray(points, dtype=float).reshape(len(labels), -1)
    y = np.asarray(labels, dtype=float)
    _, inverse, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    pos = np.bincount(inverse, weights=(y > 0).astype(float), minlength=counts.size)
    eta, w = pos / counts, counts / counts.sum()
    r_nat = float(np.sum(w * np.minimum(eta, 1.0 - eta)))
    r_phi = float(np.sum(w * calibration.conditional_risk(loss, eta)))
    return r_nat, r_phi


def _logits(model, x, batch_size=512) -> torch.Tensor:
    device = next(model.parameters()).device
    with eval_mode(model), torch.no_grad():
        return torch.cat([model(x[i:i + batch_size].to(device)).reshape(-1).cpu().double()
                          for i in range(0, x.shape[0], batch_size)])


def per_example(model, x, y, robust_attack, boundary_attack, lams=(), loss=LOSS) -> dict:
    """The per-example terms of Theorem 3.1 for a binary single-logit model, as float64 numpy arrays.

    Parameters
    ----------
    model : single-logit nn.Module (evaluated in eval mode)
    x, y : inputs and +-1 labels
    robust_attack : ``(model, x, y) -> x_adv``, run at the true labels (robust error)
    boundary_attack : ``(model, x, s) -> x_adv``, run at the pseudo-labels s = sign f(x) (the
        boundary term and the regularizer)
    lams : the lambdas at which to evaluate the regularizer

    Returns
    -------
    dict with ``phi`` (phi(y f(x))), ``sign_error`` (1{sign f(x) != y}), ``robust_error``
    (1{sign f(x) != y or y f(x_adv) <= 0}), ``boundary`` (1{sign f(x) = y and f(x) f(x') <= 0},
    x' from the boundary attack), ``regularizer`` ({lam key: phi(f(x') f(x) / lam)}) and
    ``identity_violations`` (examples with robust_error != sign_error + boundary: the two attacks
    disagree).
    """
    phi = calibration.get_loss(loss).phi
    model.eval()
    z = _logits(model, x)
    yy = y.cpu().double()
    s = torch.where(z > 0, 1.0, -1.0).to(y.dtype)
    sign_error = (s.double() != yy).double()
    robust_ok = evaluate.robust_correctness(model, x, y, robust_attack)
    with eval_mode(model):
        x_b = boundary_attack(model, x, s.to(x.device))
    z_b = _logits(model, x_b.detach())
    prod = z * z_b
    boundary = ((sign_error == 0) & (prod <= 0)).double()
    out = {"phi": np.asarray(phi((yy * z).numpy()), dtype=float), "sign_error": sign_error.numpy(),
           "robust_error": (~robust_ok).double().numpy(), "boundary": boundary.numpy(),
           "regularizer": {f"{lam:g}": np.asarray(phi((prod / lam).numpy()), dtype=float) for lam in lams}}
    out["identity_violations"] = int(np.sum(out["robust_error"] != out["sign_error"] + out["boundary"]))
    return out


def _psi_inverse_linearized(loss, excess: float) -> tuple[float, float]:
    """psi^{-1}(excess) and its derivative there (one-sided differences; 0 where psi^{-1} saturates at 1)."""
    h = 1e-6
    lo, hi = max(excess - h, 0.0), excess + h
    v = calibration.psi_inverse(loss, np.array([lo, excess, hi]))
    return float(v[1]), float((v[2] - v[0]) / (hi - lo))


def _nonneg(e: Estimate) -> Estimate:
    """The interval of a nonnegative quantity intersected with [0, inf) (coverage is kept)."""
    return Estimate(e.value, max(e.low, 0.0), e.high, e.n, e.confidence)


def sides(terms: dict, r_nat_star: float, r_phi_star: float, lam=None, loss=LOSS) -> dict:
    """Both sides of Theorem 3.1 and their differences, each an :class:`Estimate` (from :func:`per_example`).

    A = R_rob - R*_nat (Clopper-Pearson for R_rob, shifted); B1 = psi^{-1}(R_phi - R*_phi) + boundary
    term; B2 = psi^{-1}(R_phi - R*_phi) + regularizer at ``lam`` (None: no B2); the differences
    ``B1-A``, ``B2-B1``, ``B2-A`` are means of per-example differences (paired), the psi^{-1} part
    linearized at the measured excess: psi^{-1}(e) + psi^{-1}'(e) (phi_i - R_phi), exact in the mean.
    ``bjm_gap`` is psi^{-1}(R_phi - R*_phi) - (P(sign f != Y) - R*_nat), B1 - A for exact attacks.
    """
    phi, err = terms["phi"], terms["robust_error"]
    n = err.size
    excess = max(float(phi.mean()) - r_phi_star, 0.0)
    inv, slope = _psi_inverse_linearized(loss, excess)
    part = inv + slope * (phi - phi.mean())  # per example; its mean is psi^{-1}(excess)
    r = proportion(int(err.sum()), n)
    out = {"A": Estimate(r.value - r_nat_star, r.low - r_nat_star, r.high - r_nat_star, n, r.confidence),
           "R_rob": r, "R_nat": proportion(int(terms["sign_error"].sum()), n), "R_phi": _nonneg(mean(phi)),
           "boundary": proportion(int(terms["boundary"].sum()), n),
           "B1": _nonneg(mean(part + terms["boundary"])),
           "B1-A": mean(part + terms["boundary"] - err + r_nat_star),
           "bjm_gap": mean(part - terms["sign_error"] + r_nat_star)}
    b1 = float(calibration.trades_upper_bound(loss, excess, out["boundary"].value))
    if abs(b1 - out["B1"].value) > 1e-9:
        raise RuntimeError(f"internal error: B1 {out['B1'].value} differs from trades_upper_bound {b1}")
    if lam is not None:
        reg = terms["regularizer"][f"{lam:g}"]
        out["regularizer"] = _nonneg(mean(reg))
        out["B2"] = _nonneg(mean(part + reg))
        out["B2-B1"] = mean(reg - terms["boundary"])
        out["B2-A"] = mean(part + reg - err + r_nat_star)
    return out


def _json(e: Estimate) -> dict:
    return {"value": float(e.value), "low": float(e.low), "high": float(e.high), "n": int(e.n)}


def _objective(c, lam):
    if lam is None:
        return Standard("hinge")
    if c["objective"] == "hinge":
        return HingeTrades(lam, steps=c["steps"])
    if c["objective"] == "kl":
        return Trades(1.0 / lam, steps=c["steps"])
    raise ValueError(f"objective must be 'hinge' or 'kl', got {c['objective']!r}")


def _key(model, split, what):
    return f"{model}.{split}.{what}"


def _model_name(lam):
    return "standard" if lam is None else f"lam{lam:g}"


def _errorbar(ax, xs, vals, **kw):
    ax.errorbar(xs, [v["value"] for v in vals], yerr=[[v["value"] - v["low"] for v in vals],
                                                      [v["high"] - v["value"] for v in vals]], capsize=3, ms=5, **kw)


def plot(report: dict, folder):
    """trades-tightness.png: A, B1 and B2 against lambda (test, train), the gaps, and the verdicts."""
    from empirical.report import plot_predictions

    res, c = report["results"], report["config"]
    fig, axes = figure(2, 2, width=12.5, height=5.2)
    lams = [float(k) for k in res["lams"]]
    for ax, split in zip(axes[0], ("test", "train"), strict=True):
        rows = res["splits"][split]
        for key, name, color, marker, dx in (
                ("A", "A = R_rob - R*_nat", "tab:red", "o", -0.08),
                ("B1", "B1 = R_phi - R*_phi + boundary term (corrected)", "tab:blue", "s", 0.0),
                ("B2", "B2 = R_phi - R*_phi + E max phi(f f'/lambda) (Table 3's RHS)", "tab:green", "^", 0.08)):
            _errorbar(ax, [lam + dx for lam in lams], [rows[f"lam{lam:g}"][key] for lam in lams], fmt=marker + "-",
                      color=color, label=name)
        std = rows["standard"]
        ax.plot([], [], " ", label=f"natural training: A = {std['A']['value']:.3f}, B1 = {std['B1']['value']:.3f}")
        ax.set_xticks(lams)
        ax.set_ylim(bottom=0.0)
        label(ax, "TRADES lambda (beta = 1/lambda)", "risk (probability), 99.9% intervals",
              f"{split} split (n = {res['optimum'][split]['n']}): both sides of Theorem 3.1, "
              f"R*_nat = {res['optimum'][split]['R_nat_star']:g}, R*_phi = {res['optimum'][split]['R_phi_star']:g}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5, ncols=1)
    ax = axes[1][0]
    for key, name, color, marker, dx in (("B1-A", "B1 - A", "tab:blue", "s", -0.1),
                                         ("B2-B1", "B2 - B1", "tab:green", "^", 0.0),
                                         ("B2-A", "B2 - A (Table 3's Delta)", "black", "D", 0.1)):
        for split, off, fill in (("test", 0.0, True), ("train", 0.03, False)):
            _errorbar(ax, [lam + dx + off for lam in lams], [res["splits"][split][f"lam{lam:g}"][key] for lam in lams],
                      fmt=marker, color=color, mfc=color if fill else "white", label=f"{name}, {split}")
    ax.plot([float(k) for k in PAPER_TABLE3], list(PAPER_TABLE3.values()), "x", color="grey", ms=8, mew=2,
            label="zhang2019 Table 3 Delta (28x28 MNIST, its CNN)")
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(lams)
    label(ax, "TRADES lambda (beta = 1/lambda)", "difference of the sides (probability)",
          "gaps between the sides, paired per-example 99.9% intervals")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5, ncols=2)
    plot_predictions(report, axes[1][1])
    label(axes[1][1], "measured difference (probability)", "", "predictions: each difference >= 0", legend=False)
    title(fig, f"zhang2019 Theorem 3.1 with the corrected boundary term, hinge loss: digits 1 vs 3, l-inf eps = "
               f"{c['eps']:g}, DigitsCNN trained with TRADES ({c['objective']} objective) per lambda")
    return [save(fig, folder / "trades-tightness.png")]


_PREDICTIONS = {}
for _lam in (None, *LAMS):
    for _split in SPLITS:
        _m = _model_name(_lam)
        _PREDICTIONS[_key(_m, _split, "first")] = (
            f"{_m}, {_split} split: B1 - A >= 0, B1 = psi^-1(R_phi - R*_phi) + P(X in B(DB(f), eps), sign f(X) = Y), "
            "A = R_rob - R*_nat (Theorem 3.1, corrected first inequality; hinge loss)")
        if _lam is not None:
            _PREDICTIONS[_key(_m, _split, "trades")] = (
                f"{_m}, {_split} split: B2 - B1 >= 0, B2 = psi^-1(R_phi - R*_phi) + E max phi(f(X')f(X)/{_lam:g}) "
                "(Theorem 3.1, second inequality)")


@experiment(
    "trades-tightness",
    description="zhang2019 Table 3 on the digits 1 vs 3 with the hinge loss: both sides of Theorem 3.1 "
                "(corrected boundary term, and the TRADES regularizer) and their difference, per lambda",
    predictions=_PREDICTIONS,
    quick=dict(eps=0.1, epochs=30, steps=10, attack_steps=100, width=8, batch_size=32, lr=0.02, objective="hinge"),
    full=dict(eps=0.1, epochs=100, steps=20, attack_steps=200, width=32, batch_size=32, lr=0.02, objective="hinge"),
    tiny=dict(epochs=1, steps=2, attack_steps=4, width=4),
    quick_cost="about 1 min of CPU time (2.5 min wall on a shared 2-core CPU)", full_cost="minutes on a GPU",
    plot=plot,
)
def run(ctx: Context):
    c = ctx.config
    report = ctx.report()
    splits = {s: data.digits(s, classes=(1, 3)) for s in SPLITS}
    optimum = {}
    for s, d in splits.items():
        flat = d.flat().x.double().numpy()
        r_nat, r_phi = sample_optimum(flat, d.y.numpy())
        floor = hardness.optimal_robust_error(flat, (d.y.numpy() > 0).astype(int), None, 0.0, norm=np.inf)
        if abs(floor - r_nat) > 1e-12:
            raise RuntimeError(f"internal error: the Bayes risk of the {s} sample {r_nat} differs from "
                               f"optimal_robust_error at eps 0 ({floor})")
        optimum[s] = {"R_nat_star": r_nat, "R_phi_star": r_phi, "n": len(d)}
    train = splits["train"].to(ctx.device)
    robust_attack = attacks.auto_attack(c["eps"], steps=c["attack_steps"], generator=ctx.seed)
    boundary_attack = attacks.auto_attack(c["eps"], steps=c["attack_steps"], generator=ctx.seed + 1)
    table = {s: {} for s in SPLITS}
    extra = {s: {} for s in SPLITS}
    for lam in (None, *LAMS):
        name = _model_name(lam)
        model = models.DigitsCNN(classes=1, width=c["width"], generator=ctx.seed)
        Trainer(model, train, _objective(c, lam), constant(0.0 if lam is None else c["eps"]), c["epochs"],
                optimizer=sgd(lr=c["lr"], momentum=0.9), batch_size=c["batch_size"], seed=ctx.seed,
                out_dir=ctx.out / f"train-{name}", device=ctx.device, progress=ctx.progress,
                init_from=None if lam is None else ctx.out / "train-standard").fit()
        model.eval()
        for s, d in splits.items():
            terms = per_example(model, d.x.to(ctx.device), d.y.to(ctx.device), robust_attack, boundary_attack,
                                lams=LAMS if lam is None else (lam,))
            est = sides(terms, optimum[s]["R_nat_star"], optimum[s]["R_phi_star"], lam)
            ctx.predict(report, _key(name, s, "first"), 0.0, est["B1-A"], relation=">=")
            if lam is not None:
                ctx.predict(report, _key(name, s, "trades"), 0.0, est["B2-B1"], relation=">=")
            table[s][name] = {k: _json(v) for k, v in est.items()}
            extra[s][name] = {"identity_violations": terms["identity_violations"],
                              "min_per_example_B1-A": float(np.min(terms["phi"] + terms["boundary"]
                                                                   - terms["robust_error"]))}
            if lam is None:  # the naturally trained model: the TRADES bound at every lambda, for reference
                extra[s][name]["B2"] = {f"{m:g}": _json(sides(terms, optimum[s]["R_nat_star"],
                                                              optimum[s]["R_phi_star"], m)["B2"]) for m in LAMS}
    report.results.update({"lams": [f"{lam:g}" for lam in LAMS], "optimum": optimum, "splits": table,
                           "checks": extra, "paper_table3_delta": PAPER_TABLE3,
                           "psi": f"{LOSS}: psi(theta) = theta (zhang2019 Table 2), psi^-1 = "
                                  "theory.calibration.psi_inverse"})
    return report
