"""The child's CI service messages: read as its dialect reads them, passed through verbatim and in
order, and the CI's own progress indicator."""
