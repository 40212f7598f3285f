"""Claims: wen2020 (being written)."""
