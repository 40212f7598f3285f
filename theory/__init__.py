"""Closed-form adversarial risks and optimal classifiers, each result a checked claim.

Pure numpy/scipy/sympy/mpmath/networkx: importing :mod:`theory` never imports torch.

Modules
-------
norms        lp norms, dual exponents, distances to lp balls
gaussian     Gaussian mixtures: classification, robust and base-relative risks
tradeoff     the Tsipras et al. distribution, its tradeoff bound, population SVMs
montecarlo   samplers and estimators with confidence intervals
reference    slow, literal reference computations (mpmath, dynamic programming)
claims       the registry of claims; ``python -m theory.verify`` runs it
"""

__version__ = "0.1.0"
