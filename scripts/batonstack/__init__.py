"""Helpers behind scripts/stack and scripts/kafka-adapter (Python 3 standard library only)."""
