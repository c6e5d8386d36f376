"""Search backends: each implements sotehaku's backend interface with one engine."""
