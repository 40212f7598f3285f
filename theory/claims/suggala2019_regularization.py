"""Claims: suggala2019_regularization (being written)."""
