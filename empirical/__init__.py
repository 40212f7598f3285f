"""PyTorch adversarial training and evaluation that tests the theory's predictions.

Empty for now: the theory (``theory``) comes first.
"""
