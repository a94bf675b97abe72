"""Peak memory and throughput of one full crawl of the replica, measured from outside the crawl.

    python benchmarks/crawl_rss.py --articles 20000

Kept for its command line; the measurement is benchmarks/crawl.py's `scale`, which
`python benchmarks/run.py` also runs. The crawl is the real CLI in a child process; its peak RSS
and CPU time come from the kernel (wait4 on that child alone), so the replica, which runs in this
process, is not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    sys.path[0] = str(ROOT)  # run as a script: import the repository's packages
    from benchmarks.crawl import scale

    result = scale(args.articles)
    print(result.pop("summary"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
