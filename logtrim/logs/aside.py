"""Work on the second core: a forked process computes a value and hands it back pickled.

``stats`` counts the templates of a large raw task log this way while the main process parses
its entries; the two take about as long as the slower of them, not their sum.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

from .._fork import can_fork

T = TypeVar("T")


def aside(work: Callable[[], T]) -> Callable[[], T | None]:
    """Start ``work()`` in a forked process; the function returned waits for its value.

    That value is None when there is none to be had (no ``fork`` on this system,
    ``LOGTRIM_NO_FORK`` set, the process failed): the caller then does the work itself.
    """
    if not can_fork():
        return lambda: None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit code
        code = 1
        try:
            os.close(read)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:  # the parent does the work itself
            pass
        finally:
            os._exit(code)
    os.close(write)

    def collect() -> T | None:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return None
        try:
            value: T = pickle.loads(data)  # our own child's bytes
        except Exception:
            return None
        return value

    return collect
