"""The async shell of ``logtrim run`` (anyio): the child, its pipes, signals. Internal."""
