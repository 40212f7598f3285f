"""Claims: zhang2019 (being written)."""
