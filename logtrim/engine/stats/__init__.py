"""What ``stats`` counts: lines and bytes per template, bounded, and each line's tier."""
