"""Claims: shaeiri2020_bernoulli (being written)."""
