"""Serve the replica until Ctrl-C: `python -m tests.fakesite --port 8080 --articles 2000`."""

from __future__ import annotations

import argparse
import time

from tests.fakesite.server import FakeSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakesite", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=10)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    site = FakeSite(
        articles=args.articles, seed=args.seed, page_size=args.page_size, port=args.port
    )
    site.start()
    took = time.perf_counter() - started
    print(f"{site.base_url}  ({args.articles} articles, seed {args.seed}, ready in {took:.2f}s)")
    print("Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
