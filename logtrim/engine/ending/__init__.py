"""The end of a run: the failure reason, the error blocks and the failure tail, and the
closing lines."""
