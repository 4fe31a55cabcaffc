"""Work on the second core: a forked process computes a value and hands it back pickled.

``stats`` counts the templates of a large raw task log this way while the main process parses
its entries; the two take about as long as the slower of them, not their sum. :func:`talk`
also lets the two exchange values on the way (the halves of a plain log, their templates).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from contextlib import suppress
from typing import Any, NoReturn, TypeVar

from .._fork import can_fork, readable

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
    if pid == 0:  # the child: compute, send

        def send() -> None:
            os.close(read)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)

        _child(send)
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


class Link:
    """Pickled values back and forth between a process and the one it forked (:func:`talk`)."""

    def __init__(self, read: int, write: int) -> None:
        self._in = os.fdopen(read, "rb")
        self._out = os.fdopen(write, "wb")

    def send(self, value: object) -> None:
        pickle.dump(value, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self._out.flush()

    def receive(self) -> Any:
        """The other's next value (our own process's bytes); raises when it is gone."""
        return pickle.load(self._in)

    def ready(self) -> bool:
        """Whether the other has sent more (False may still leave a value in the buffer:
        :meth:`receive` finds it)."""
        return readable(self._in.fileno())

    def close(self) -> None:
        for end in (self._out, self._in):
            with suppress(OSError):
                end.close()


def talk(work: Callable[[Link], None]) -> tuple[Link, Callable[[], bool]] | None:
    """Start ``work(link)`` in a forked process that can answer and be answered; None when
    there is no ``fork`` (see :func:`aside`). Returns this process's link and a function that
    closes it and waits for the other (True: it did its work)."""
    if not can_fork():
        return None
    down_read, down_write = os.pipe()
    up_read, up_write = os.pipe()
    pid = os.fork()
    if pid == 0:

        def answer() -> None:
            os.close(down_write)
            os.close(up_read)
            link = Link(down_read, up_write)
            work(link)
            link.close()

        _child(answer)
    os.close(down_read)
    os.close(up_write)
    link = Link(up_read, down_write)

    def done() -> bool:
        link.close()  # a child still waiting for a value gets an end of file
        _, status = os.waitpid(pid, 0)
        return status == 0

    return link, done


def _child(body: Callable[[], None]) -> NoReturn:
    """The forked process: ``body``, then leave without running the parent's exit code;
    status 0 when it did its work, 1 when it failed (the parent then does the work itself)."""
    code = 1
    try:
        body()
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)
