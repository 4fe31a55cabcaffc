"""Which rules a line hits, and so its tier: the rules, the compiled matcher (hyperscan) and the
pure-Python one (``re`` behind a literal prefilter)."""
