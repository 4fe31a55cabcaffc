"""The child's bytes to decisions: lines cut from chunks, each line's tier and context, repeats,
progress, floods, and what is remembered of recent output."""
