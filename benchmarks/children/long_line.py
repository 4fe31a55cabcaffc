"""Write N bytes of ``x`` to stdout with no newline: one line longer than any buffer.

python benchmarks/children/long_line.py 67108864 | logtrim run -- cat
"""

import os
import sys


def main() -> None:
    left, block = int(sys.argv[1]), memoryview(b"x" * (1 << 20))
    while left > 0:
        view = block[: min(left, len(block))]
        left -= len(view)
        while view:
            view = view[os.write(1, view) :]


if __name__ == "__main__":
    main()
