"""Tests of theory.bernoulli (shaeiri2020 Definition 7, Theorems 3-5).

Every expected value comes from an independent computation: literal sums in mpmath at 50
digits, exact rational arithmetic, enumeration of every classifier of a small cube (or of every
function of the distance j), brute force over l0 balls, and Monte Carlo with Clopper-Pearson
intervals at fixed seeds.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import bernoulli as B
from theory.montecarlo import proportion
from theory.reference import mp_binomial_upper_tail as mp_tail
from theory.threat import ThreatModel

CONF = 1 - 1e-6  # Clopper-Pearson level for Monte Carlo comparisons


# ---------------------------------------------------------------------------------------------
# slow literal references
# ---------------------------------------------------------------------------------------------


def literal_bayes(k: int, t) -> Fraction | mp.mpf:
    """Eqs. (36)/(37) of the paper, literally (Fraction t gives an exact answer)."""
    if isinstance(t, Fraction):
        q, p = Fraction(1, 2) + t, Fraction(1, 2) - t
        total = sum((comb(k, i) * q**i * p ** (k - i) for i in range(k // 2 + 1)), Fraction(0))
        if k % 2 == 0:
            total -= Fraction(comb(k, k // 2)) * q ** (k // 2) * p ** (k // 2) / 2
        return total
    with mp.workdps(50):
        q, p = mp.mpf(1) / 2 + mp.mpf(t), mp.mpf(1) / 2 - mp.mpf(t)
        total = mp.fsum(mp.binomial(k, i) * q**i * p ** (k - i) for i in range(k // 2 + 1))
        if k % 2 == 0:
            total -= mp.binomial(k, k // 2) * (q * p) ** (k // 2) / 2
        return +total


def window_robust_error(k: int, t: float, eps: int, labels) -> float:
    """Robust error of the classifier g(j) (labels[j] = g(j), j = 0..k) by its definition, mpmath.

    A point with j can be moved to any j' in [j - eps, j + eps] intersected with [0, k].
    """
    with mp.workdps(40):
        p, q = mp.mpf(1) / 2 - mp.mpf(t), mp.mpf(1) / 2 + mp.mpf(t)
        total = mp.mpf(0)
        for j in range(k + 1):
            win = labels[max(0, j - eps):min(k, j + eps) + 1]
            c = mp.binomial(k, j)
            if any(v == -1 for v in win):
                total += c * p**j * q ** (k - j) / 2  # y = +1 has j ~ Bin(k, p)
            if any(v == 1 for v in win):
                total += c * q**j * p ** (k - j) / 2  # y = -1 has j ~ Bin(k, q)
        return float(total)


def threshold_labels(k: int, s: int):
    return [1 if j <= s else -1 for j in range(k + 1)]


# ---------------------------------------------------------------------------------------------
# accuracy against mpmath
# ---------------------------------------------------------------------------------------------

TAIL_CASES = [
    (5_000_000, 10**7, 0.004), (5_000_001, 10**7, 0.004), (4_999_700, 10**7, 0.004),
    (5_000_000, 10**7, 0.3), (10**7, 10**7, 0.1), (2_000_000, 10**7, 0.3),
    (500_000, 10**6, 0.01), (500_000, 10**6, 0.02), (490_001, 10**6, 0.01),
    (6172, 12345, 0.1), (4938, 12345, 0.1), (50, 101, 0.3), (57, 101, 0.3),
    (1, 1, 0.1), (2, 2, 0.4999), (1, 37, 0.2), (37, 37, 0.2), (19, 37, 0.2), (12, 37, 0.2),
    (3, 5, 0.5 - 2**-40), (1000, 1000, 1e-9),
]


@pytest.mark.parametrize("m,k,t", TAIL_CASES)
def test_upper_tail_matches_mpmath(m, k, t):
    exact = mp_tail(m, k, t)
    with mp.workdps(50):
        log_exact = mp.log(exact)
        got_log = B.log_binomial_upper_tail(m, k, t)
        assert abs(got_log - log_exact) <= 1e-14 * abs(log_exact) + 1e-14
        if exact > mp.mpf(10) ** -300:
            assert abs(B.binomial_upper_tail(m, k, t) - exact) <= 1e-12 * exact
        else:
            assert B.binomial_upper_tail(m, k, t) <= 1e-300


@settings(max_examples=25)
@given(k=st.integers(1, 3000), t=st.floats(1e-4, 0.5, exclude_max=True), frac=st.floats(0, 1))
def test_upper_tail_random_cases(k, t, frac):
    m = int(round(frac * (k + 1)))
    exact = mp_tail(m, k, t)
    got = B.binomial_upper_tail(m, k, t)
    if exact == 0:  # m > k
        assert got == 0 and B.log_binomial_upper_tail(m, k, t) == -np.inf
    elif exact > mp.mpf(10) ** -300:
        assert abs(got - exact) <= 1e-12 * exact
    else:
        with mp.workdps(50):
            assert abs(B.log_binomial_upper_tail(m, k, t) - mp.log(exact)) <= 1e-13 * abs(mp.log(exact))


@pytest.mark.parametrize("k,t", [(1, 0.1), (2, 0.25), (7, 0.05), (40, 0.2), (41, 0.37), (1000, 0.05),
                                 (100_001, 0.01), (10**6, 0.003)])
def test_bayes_error_matches_printed_sums(k, t):
    if k <= 1000:
        exact = literal_bayes(k, t)
    else:  # the printed sums through the 50-digit tail
        exact = (mp_tail(k // 2 + 1, k, t) + mp_tail((k + 1) // 2, k, t)) / 2
    assert abs(B.bayes_error(k, t) - exact) <= 1e-12 * exact


@pytest.mark.parametrize("k,t", [(10**7, 0.3), (10**6, 0.45), (10**5, 0.2), (3000, 0.49)])
def test_log_variants_finite_where_float_underflows(k, t):
    with mp.workdps(50):
        exact = (mp_tail(k // 2 + 1, k, t) + mp_tail((k + 1) // 2, k, t)) / 2
        assert exact < mp.mpf(10) ** -308
        lg = B.log_bayes_error(k, t)
        assert np.isfinite(lg) and B.bayes_error(k, t) == 0.0
        assert abs(lg - mp.log(exact)) <= 1e-14 * abs(mp.log(exact))
        assert B.log_robust_error_linf(k, t, 0.5) == lg
        le, s = B.log_optimal_robust_error_l0(k, t, 2)
        # the optimum at eps = 2 is the middle threshold here (the error is far below 1/2)
        sm = (k - 1) // 2
        exact_l0 = (mp_tail(k - sm - 2, k, t) + mp_tail(sm - 1, k, t)) / 2
        assert s == sm
        assert abs(le - mp.log(exact_l0)) <= 1e-14 * abs(mp.log(exact_l0))


def test_large_k_exact_rational_t():
    # t = 1/8: 1/2 - t is exact, so mpmath with Fraction-free arithmetic is the exact value
    k = 10**7 + 1
    exact = mp_tail(k // 2 + 1, k, 0.125)
    with mp.workdps(50):
        assert abs(B.log_bayes_error(k, 0.125) - mp.log(exact)) <= 1e-15 * abs(mp.log(exact))


# ---------------------------------------------------------------------------------------------
# exact small cases: Theorem 3 and Theorem 4 by enumeration
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(1, 13))
@pytest.mark.parametrize("t", [Fraction(1, 20), Fraction(1, 3), Fraction(1, 2)])
def test_bayes_error_exact_rationals(k, t):
    assert B.bayes_error(k, float(t)) == pytest.approx(float(literal_bayes(k, t)), rel=1e-14, abs=0)


def _literal_labelling_errors(d, k, t, eps):
    """Robust error of every labelling of {-1,1}^d by looping over labellings and balls."""
    pts = list(itertools.product([1, -1], repeat=d))
    theta_pos = (1,) * d
    theta_neg = tuple(-1 if i < k else 1 for i in range(d))

    def dens(x, c):
        m = sum(a != b for a, b in zip(x, c))
        return 0.5 * (0.5 + t) ** (d - m) * (0.5 - t) ** m

    out = []
    for lab in range(2 ** len(pts)):
        h = {x: (1 if lab >> i & 1 else -1) for i, x in enumerate(pts)}
        err = 0.0
        for x in pts:
            ball = [z for z in pts if sum(a != b for a, b in zip(x, z)) <= eps]
            if any(h[z] != 1 for z in ball):
                err += dens(x, theta_pos)
            if any(h[z] != -1 for z in ball):
                err += dens(x, theta_neg)
        out.append(err)
    return np.array(out)


@pytest.mark.parametrize("d,k,eps", [(1, 1, 0), (1, 1, 1), (2, 1, 1), (2, 2, 0), (2, 2, 1), (2, 2, 2)])
def test_labelling_errors_match_literal_loop(d, k, eps):
    got = B.labelling_robust_errors_l0(d, k, 0.2, eps)
    np.testing.assert_allclose(got, _literal_labelling_errors(d, k, 0.2, eps), rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("t", [0.05, 0.3])
def test_optimum_over_every_classifier_of_the_cube(d, t):
    for k in range(1, d + 1):
        for eps in range(0, d + 1):
            best = B.labelling_robust_errors_l0(d, k, t, eps).min()
            err, s = B.optimal_robust_error_l0(k, t, eps)
            assert err == pytest.approx(best, rel=1e-13)
            if eps == 0:
                assert best == pytest.approx(B.bayes_error(k, t), rel=1e-13)


def test_enumeration_at_d4_includes_nonconstant_optimum():
    # k = 4, eps = 1, t = 0.3: the optimum is strictly below 1/2 (not the constant classifier)
    best = B.labelling_robust_errors_l0(4, 4, 0.3, 1).min()
    err, s = B.optimal_robust_error_l0(4, 0.3, 1)
    assert best < 0.49 and err == pytest.approx(best, rel=1e-13) and 0 <= s <= 3


@pytest.mark.parametrize("k", range(1, 8))
def test_optimum_over_every_function_of_j(k):
    """Assumption 1 classifiers g(j): the best of all 2^(k+1) equals the closed form."""
    for t in (0.05, 0.25, 0.45):
        for eps in range(0, k + 2):
            errs = [window_robust_error(k, t, eps, lab) for lab in itertools.product([1, -1], repeat=k + 1)]
            err, s = B.optimal_robust_error_l0(k, t, eps)
            assert err == pytest.approx(min(errs), rel=1e-13)


@settings(max_examples=30)
@given(k=st.integers(1, 25), t=st.floats(0.001, 0.5), eps=st.integers(0, 30), data=st.data())
def test_robust_error_l0_matches_definition(k, t, eps, data):
    s = data.draw(st.integers(-1, k))
    expected = window_robust_error(k, t, eps, threshold_labels(k, s))
    assert B.robust_error_l0(k, t, eps, s) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@settings(max_examples=20)
@given(k=st.integers(1, 400), t=st.floats(0.001, 0.5), eps=st.integers(0, 60))
def test_optimal_is_min_over_all_thresholds(k, t, eps):
    """The three-candidate rule equals the brute-force minimum over s = -1..k."""
    s_all = np.arange(-1, k + 1)
    errs = B.robust_error_l0(k, t, eps, s_all)
    err, s = B.optimal_robust_error_l0(k, t, eps)
    assert err == pytest.approx(errs.min(), rel=1e-12)
    assert B.robust_error_l0(k, t, eps, s) == err
    assert err <= 0.5


def test_printed_formula_erratum():
    """Eq. (12) agrees with the robust error for 0 <= s <= k-1 and is wrong at s = k."""
    t = Fraction(1, 4)
    for k in range(1, 7):
        for eps in range(0, 4):
            for s in range(0, k + 1):
                q, p = Fraction(3, 4), Fraction(1, 4)
                head = lambda u: sum((comb(k, i) * q**i * p ** (k - i) for i in range(0, min(u, k) + 1)),  # noqa: E731
                                     Fraction(0))
                printed = (head(s + eps) + head(k - s + eps - 1)) / 2
                assert B.printed_robust_error_l0(k, float(t), eps, s) == pytest.approx(float(printed), rel=1e-13)
                truth = window_robust_error(k, float(t), eps, threshold_labels(k, s))
                if s <= k - 1:
                    assert float(printed) == pytest.approx(truth, rel=1e-13)
                elif eps >= 1:
                    assert truth == pytest.approx(0.5) and float(printed) > 0.5
    # the smallest counterexample of the optimum: k = 1, eps = 1, t = 1/4
    assert min(B.printed_robust_error_l0(1, 0.25, 1, [0, 1])) == pytest.approx(0.625)
    assert B.optimal_robust_error_l0(1, 0.25, 1)[0] == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------
# the model, the classifiers, the attack, Monte Carlo
# ---------------------------------------------------------------------------------------------


def _model():
    return B.BernoulliModel([1, 1, -1, 1, 1, -1, 1, 1], [-1, -1, 1, -1, -1, -1, 1, 1], 0.2)


def test_model_basics_and_sampling_frequencies():
    m = _model()
    assert m.dim == 8 and m.effective_dimension == 5
    np.testing.assert_array_equal(m.effective_mask, [1, 1, 1, 1, 1, 0, 0, 0])
    x, y = m.sample(200_000, 5)
    assert set(np.unique(x)) == {-1.0, 1.0} and set(np.unique(y)) == {-1.0, 1.0}
    est = proportion(int(np.count_nonzero(y > 0)), y.size, CONF)
    assert est.contains(0.5)
    for cls, centre in ((1, m.theta_pos), (-1, m.theta_neg)):
        xc = x[y == cls]
        for i in range(8):
            est = proportion(int(np.count_nonzero(xc[:, i] == centre[i])), len(xc), CONF)
            assert est.contains(0.7)
    # independence: the number of flips on the effective coordinates is Bin(5, 0.3)
    j = m.distance_to_pos(x[y > 0])
    for v in range(6):
        est = proportion(int(np.count_nonzero(j == v)), j.size, CONF)
        assert est.contains(comb(5, v) * 0.3**v * 0.7 ** (5 - v))
    # reproducible from a seed, different for another
    np.testing.assert_array_equal(m.sample(10, 1)[0], m.sample(10, 1)[0])
    assert not np.array_equal(m.sample(50, 1)[0], m.sample(50, 2)[0])


def test_bayes_classifier_is_argmax_of_density():
    m = _model()
    pts = np.array(list(itertools.product([1, -1], repeat=8)), dtype=float)
    dpos = (pts != m.theta_pos).sum(1)
    dneg = (pts != m.theta_neg).sum(1)
    lik_pos = 0.7 ** (8 - dpos) * 0.3**dpos
    lik_neg = 0.7 ** (8 - dneg) * 0.3**dneg
    h = m.bayes_classifier(pts)
    assert np.all(h[lik_pos > lik_neg] == 1) and np.all(h[lik_pos < lik_neg] == -1)
    # and its error summed over the cube is the closed form
    err = 0.5 * (lik_pos[h == -1].sum() + lik_neg[h == 1].sum())
    assert err == pytest.approx(B.bayes_error(5, 0.2), rel=1e-13)
    # the linf classifier is the same on the cube and on points that keep their signs
    np.testing.assert_array_equal(m.linf_robust_classifier(pts * 0.4), h)


def test_l0_attack_is_worst_case_by_brute_force():
    m = B.BernoulliModel([1, 1, 1, 1, 1, 1], [-1, -1, -1, -1, 1, 1], 0.15)
    x, y = m.sample(400, 3)
    pts = np.array(list(itertools.product([1, -1], repeat=6)), dtype=float)
    for eps in range(0, 4):
        xa = m.l0_attack(x, y, eps)
        assert np.all((xa != x).sum(1) <= eps)
        near = (pts[None, :, :] != x[:, None, :]).sum(-1) <= eps
        for s in range(-1, 5):
            lab = m.threshold_classifier(pts, s)
            brute = ((lab[None, :] != y[:, None]) & near).any(1)
            np.testing.assert_array_equal(m.threshold_classifier(xa, s) != y, brute)


@pytest.mark.parametrize("eps,s", [(0, 2), (1, 2), (2, 1), (1, 5), (2, -1), (3, 0), (1, None)])
def test_robust_error_l0_monte_carlo(eps, s):
    m = _model()
    k = m.effective_dimension
    if s is None:
        s = int(B.optimal_robust_error_l0(k, m.t, eps)[1])
    x, y = m.sample(100_000, 10 + eps)
    wrong = m.threshold_classifier(m.l0_attack(x, y, eps), s) != y
    est = proportion(int(np.count_nonzero(wrong)), y.size, CONF)
    assert est.contains(float(B.robust_error_l0(k, m.t, eps, s)))


def test_bayes_and_linf_monte_carlo():
    m = _model()
    x, y = m.sample(200_000, 21)
    est = proportion(int(np.count_nonzero(m.bayes_classifier(x) != y)), y.size, CONF)
    assert est.contains(float(B.bayes_error(5, 0.2)))
    # eps < 1: any perturbation in the box keeps the signs, so h*(sign(.)) keeps its error
    g = np.random.default_rng(4)
    xa = x + 0.999 * (2 * g.random(x.shape) - 1)
    est = proportion(int(np.count_nonzero(m.linf_robust_classifier(xa) != y)), y.size, CONF)
    assert est.contains(float(B.robust_error_linf(5, 0.2, 0.999)))
    # eps >= 1: moving everything to the origin, every classifier errs on one class
    est = proportion(int(np.count_nonzero(m.linf_robust_classifier(np.zeros_like(x)) != y)), y.size, CONF)
    assert est.contains(float(B.robust_error_linf(5, 0.2, 1.0)))


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

ks = st.integers(1, 5000)
ts = st.floats(1e-6, 0.5)


@settings(max_examples=40)
@given(k=ks, t=ts, eps=st.integers(0, 50))
def test_properties(k, t, eps):
    bay = float(B.bayes_error(k, t))
    assert 0 <= bay <= 0.5
    opt, s = B.optimal_robust_error_l0(k, t, eps)
    opt1, _ = B.optimal_robust_error_l0(k, t, eps + 1)
    assert bay * (1 - 1e-12) <= opt <= 0.5
    assert opt <= opt1 * (1 + 1e-12)  # monotone in eps
    assert -1 <= s <= k
    assert B.optimal_robust_error_l0(k, t, 0)[0] == pytest.approx(bay, rel=1e-12)
    r = B.robust_error_l0(k, t, eps, np.arange(-1, min(k, 30) + 1))
    assert np.all((r >= bay * (1 - 1e-12)) & (r <= 1))
    assert float(B.robust_error_linf(k, t, 0.5)) == bay
    assert float(B.robust_error_linf(k, t, 1.0)) == 0.5
    if bay > 1e-300:
        assert np.log(bay) == pytest.approx(float(B.log_bayes_error(k, t)), rel=1e-13, abs=1e-13)


@settings(max_examples=25)
@given(k=st.integers(1, 2000), t1=ts, t2=ts)
def test_bayes_error_decreasing_in_t(k, t1, t2):
    lo, hi = sorted((t1, t2))
    assert B.log_bayes_error(k, hi) <= B.log_bayes_error(k, lo) + 1e-12


def test_broadcasting():
    k = np.array([[1], [10], [101]])
    t = np.array([0.1, 0.2, 0.3, 0.4])
    out = B.bayes_error(k, t)
    assert out.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert out[i, j] == B.bayes_error(int(k[i, 0]), t[j])
    err, s = B.optimal_robust_error_l0(k, t, np.array([0, 1, 2, 3]))
    assert err.shape == s.shape == (3, 4) and s.dtype == np.int64
    assert B.robust_error_linf(5, 0.2, np.array([0.0, 0.99, 1.0, 7.0])).tolist() == [
        B.bayes_error(5, 0.2)] * 2 + [0.5, 0.5]


def test_t_half_is_separable():
    assert B.bayes_error(4, 0.5) == 0.0 and B.log_bayes_error(3, 0.5) == -np.inf
    # with t = 1/2 an l0 adversary with eps >= k/2 makes the classes overlap
    assert B.optimal_robust_error_l0(4, 0.5, 1)[0] == 0.0
    assert B.optimal_robust_error_l0(4, 0.5, 2)[0] == 0.5


# ---------------------------------------------------------------------------------------------
# invalid input
# ---------------------------------------------------------------------------------------------

bad_t = st.one_of(st.floats(max_value=0.0), st.floats(min_value=0.5, exclude_min=True), st.just(float("nan")))
bad_k = st.one_of(st.integers(max_value=0), st.floats(0.1, 100).filter(lambda v: not v.is_integer()))
bad_eps_l0 = st.one_of(st.integers(max_value=-1), st.floats(0.01, 100).filter(lambda v: not v.is_integer()))


@settings(max_examples=30)
@given(t=bad_t)
def test_bad_t(t):
    for fn in (lambda: B.bayes_error(3, t), lambda: B.log_bayes_error(3, t),
               lambda: B.robust_error_l0(3, t, 1, 1), lambda: B.optimal_robust_error_l0(3, t, 1),
               lambda: B.robust_error_linf(3, t, 0.5), lambda: B.BernoulliModel([1], [-1], t)):
        with pytest.raises(ValueError, match="t must"):
            fn()


@settings(max_examples=30)
@given(k=bad_k)
def test_bad_k(k):
    for fn in (lambda: B.bayes_error(k, 0.1), lambda: B.robust_error_l0(k, 0.1, 1, 0),
               lambda: B.log_optimal_robust_error_l0(k, 0.1, 1), lambda: B.log_robust_error_linf(k, 0.1, 2.0)):
        with pytest.raises(ValueError, match="k must"):
            fn()


@settings(max_examples=30)
@given(eps=bad_eps_l0)
def test_bad_eps(eps):
    with pytest.raises(ValueError, match="eps must"):
        B.robust_error_l0(5, 0.1, eps, 2)
    with pytest.raises(ValueError, match="eps must"):
        B.optimal_robust_error_l0(5, 0.1, eps)
    if eps < 0:
        with pytest.raises(ValueError, match="eps must"):
            B.robust_error_linf(5, 0.1, eps)
    else:  # a real eps is fine for linf
        assert B.robust_error_linf(5, 0.1, eps) in (B.bayes_error(5, 0.1), 0.5)


@pytest.mark.parametrize("call,match", [
    (lambda: B.robust_error_l0(5, 0.1, 1, 6), "s must"),
    (lambda: B.robust_error_l0(5, 0.1, 1, -2), "s must"),
    (lambda: B.robust_error_l0(5, 0.1, True, 1), "eps must"),
    (lambda: B.printed_robust_error_l0(5, 0.1, 1, -1), "s must"),
    (lambda: B.BernoulliModel([1, 1], [1, 1], 0.1), "differ"),
    (lambda: B.BernoulliModel([1, 0], [1, -1], 0.1), "theta_pos"),
    (lambda: B.BernoulliModel([1, 1], [1, -1, 1], 0.1), "theta_neg"),
    (lambda: _model().sample(0, 1), "n must"),
    (lambda: _model().sample(5, "seed"), "rng"),
    (lambda: _model().bayes_classifier(np.ones(3)), "x must"),
    (lambda: _model().bayes_classifier(np.full(8, 0.5)), "x must"),
    (lambda: _model().l0_attack(np.ones((2, 8)), np.ones(2), -1), "eps must"),
    (lambda: _model().l0_attack(np.ones((2, 8)), np.zeros(2), 1), "y must"),
    (lambda: B.labelling_robust_errors_l0(5, 1, 0.1, 1), "d must"),
    (lambda: B.labelling_robust_errors_l0(2, 3, 0.1, 1), "k must"),
    (lambda: B.log_binomial_upper_tail(1.5, 3, 0.1), "m must"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# threat models, the aliases, the sign convention
# ---------------------------------------------------------------------------------------------


@settings(max_examples=25)
@given(k=st.integers(1, 300), t=ts, eps=st.integers(0, 20), r=st.floats(0.0, 3.0))
def test_threat_model_equals_eps_and_norm(k, t, eps, r):
    """ThreatModel.l0(eps) / ThreatModel.linf(r) give exactly what (eps, norm=0) / (r, norm=inf) give,
    norm=None is inf, and the aliases kept for one release agree exactly with the new forms."""
    s = np.arange(-1, min(k, 20) + 1)
    l0 = B.robust_error(k, t, eps, s, norm=0)
    np.testing.assert_array_equal(B.robust_error(k, t, ThreatModel.l0(eps), s), l0)
    np.testing.assert_array_equal(B.robust_error_l0(k, t, eps, s), l0)
    np.testing.assert_array_equal(B.log_robust_error(k, t, ThreatModel.l0(eps), s), B.log_robust_error_l0(k, t, eps, s))
    for f, g in ((B.optimal_robust_error, B.optimal_robust_error_l0),
                 (B.log_optimal_robust_error, B.log_optimal_robust_error_l0)):
        a, b, c = f(k, t, ThreatModel.l0(eps)), f(k, t, eps, norm=0), g(k, t, eps)
        assert a[0] == b[0] == c[0] and a[1] == b[1] == c[1]
    linf = B.robust_error(k, t, r, norm=np.inf)
    assert B.robust_error(k, t, r) == B.robust_error(k, t, ThreatModel.linf(r)) == B.robust_error_linf(k, t, r) == linf
    assert B.log_robust_error(k, t, ThreatModel.linf(r)) == B.log_robust_error_linf(k, t, r)
    assert B.optimal_robust_error(k, t, r)[0] == linf
    m = _model()
    x, y = m.sample(50, k)
    np.testing.assert_array_equal(m.l0_attack(x, y, ThreatModel.l0(min(eps, 8))), m.l0_attack(x, y, min(eps, 8)))


def test_threat_model_contradicting_or_unsupported_norm_raises():
    for call in (lambda: B.robust_error(5, 0.1, ThreatModel.l0(1), 2, norm=np.inf),
                 lambda: B.robust_error(5, 0.1, ThreatModel.linf(0.5), norm=0),
                 lambda: B.optimal_robust_error(5, 0.1, ThreatModel.l2(0.5), norm=np.inf),
                 lambda: B.robust_error_l0(5, 0.1, ThreatModel.linf(1), 2),  # the l0 alias passes norm=0
                 lambda: _model().l0_attack(np.ones((2, 8)), np.ones(2), ThreatModel.linf(1.0)),
                 lambda: B.robust_error(5, 0.1, 0.5, norm=2),               # only l0 and linf are treated
                 lambda: B.optimal_robust_error(5, 0.1, ThreatModel.l2(0.5))):
        with pytest.raises(ValueError, match="norm"):
            call()
    with pytest.raises(ValueError, match="s must be given"):
        B.robust_error(5, 0.1, 1, norm=0)
    with pytest.raises(ValueError, match="s must be None"):
        B.robust_error(5, 0.1, 0.5, 2)
    with pytest.raises(ValueError, match="eps must"):
        B.robust_error(5, 0.1, 1.5, 2, norm=0)


@pytest.mark.parametrize("eps", [0.0, 0.5, 0.999, 1.0, 3.0])
def test_linf_optimal_threshold_classifier_attains_the_optimum(eps):
    """optimal_robust_error's linf threshold s: h_s o T equals linf_robust_classifier (eps < 1, on every point
    of the cube and on x + delta with ||delta||_inf < 1) and its error, summed over the cube, is the optimum."""
    m = _model()
    k = m.effective_dimension
    err, s = B.optimal_robust_error(k, m.t, eps)
    pts = np.array(list(itertools.product([1, -1], repeat=8)), dtype=float)
    dpos, dneg = (pts != m.theta_pos).sum(1), (pts != m.theta_neg).sum(1)
    hi, lo = 0.5 + m.t, 0.5 - m.t
    lik = {1: hi ** (8 - dpos) * lo**dpos, -1: hi ** (8 - dneg) * lo**dneg}
    h = m.threshold_classifier(pts, int(s))
    if eps < 1:
        assert s == k // 2
        np.testing.assert_array_equal(h, m.linf_robust_classifier(pts))
        shrunk = pts * (1 - 0.999 * np.random.default_rng(0).random(pts.shape))
        np.testing.assert_array_equal(h, m.linf_robust_classifier(shrunk))
        clean = 0.5 * (lik[1][h == -1].sum() + lik[-1][h == 1].sum())
        assert float(err) == pytest.approx(clean, rel=1e-13)
    else:
        assert s == k and np.all(h == 1) and float(err) == 0.5


def test_linf_classifier_sign_of_zero_is_minus_one():
    """T(x)_i = +1 iff x_i > 0: a zero coordinate reads as -1 (the package's sign(0) = -1)."""
    m = _model()
    rng = np.random.default_rng(1)
    x = rng.choice([-1.0, 0.0, 1.0], size=(500, 8))
    np.testing.assert_array_equal(m.linf_robust_classifier(x), m.bayes_classifier(np.where(x == 0, -1.0, x)))
    np.testing.assert_array_equal(m.linf_robust_classifier(np.zeros(8)), m.bayes_classifier(-np.ones(8)))


def test_dim_and_its_alias():
    m = _model()
    assert m.dim == m.dimension == 8 == m.sample(3, 0)[0].shape[1]
