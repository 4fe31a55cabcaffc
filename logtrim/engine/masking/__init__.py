"""Secrets: learned from the child's declarations, masked in every form they reach a reader in."""
