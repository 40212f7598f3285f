"""Claims: shaeiri2020_hardness (being written)."""
