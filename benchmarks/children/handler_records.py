"""Log N mostly-DEBUG records through one handler and print the seconds it took, close()
included. KIND is ``logtrim`` (logtrim.LogtrimHandler, archive at PATH) or ``file``
(logging.FileHandler at PATH); both get the same formatter. With LINES, each record is an
INFO message of LINES lines of 1 kB (a dump, a long report) instead.

    python benchmarks/children/handler_records.py KIND N PATH [LINES]
"""

import logging
import os
import sys
import time


def handler(kind: str, path: str) -> logging.Handler:
    if kind == "logtrim":
        import logtrim

        devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        return logtrim.LogtrimHandler(artifact=path, budget="20MB", stream=devnull)
    return logging.FileHandler(path)


def main() -> None:
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    out = handler(kind, path)
    out.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("bench")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(out)
    start = time.perf_counter()
    if len(sys.argv) > 4:
        text = "".join(f"{i:06d} " + "x" * 992 + "\n" for i in range(int(sys.argv[4])))
        for _ in range(n):
            log.info("report:\n%s", text)
        out.close()
        print(time.perf_counter() - start)
        return
    for i in range(n):
        if i % 1000 == 999:
            log.info("uploading artifacts %d%% (%d/%d)", i * 100 // n, i, n)
        elif i % 50_000 == 49_999:
            log.warning("retrying web-%02d in %ds: connection reset", i % 7, i % 30)
        else:
            log.debug(
                "copied /srv/app/releases/%d/lib/mod_%d.py (%d bytes) sha256=%064x in %.1f ms",
                i // 1000,
                i,
                i * 37 % 99991,
                i * 2654435761,
                i % 997 / 10,
            )
    try:
        raise ValueError("could not apply migration 0042")
    except ValueError:
        log.exception("deploy failed")
    out.close()
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
