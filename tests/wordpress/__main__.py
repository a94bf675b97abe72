"""``python -m tests.wordpress start|stop|truth [--dir D]``: the real-WordPress site by hand.

``start`` builds the site in D (once; later starts reuse it) and starts MariaDB and PHP, then
prints the URL and returns; the servers keep running until ``stop``. ``truth`` prints the
ground truth as JSON. ``--organisation``/``--strip-category-base`` set the Yoast options.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.wordpress.site import WHERE_ARCHIVES_COME_FROM, SiteError, WordPressSite, archives_dir

DEFAULT_DIR = Path("/tmp/newsarchive-wordpress")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.wordpress", description=__doc__)
    parser.add_argument("command", choices=("start", "stop", "truth"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"default {DEFAULT_DIR}")
    parser.add_argument("--organisation", action="store_true", help="Yoast: site is a company")
    parser.add_argument("--strip-category-base", action="store_true", help="Yoast: /<slug>/")
    args = parser.parse_args(argv)
    archives = archives_dir()
    if archives is None:
        print(WHERE_ARCHIVES_COME_FROM, file=sys.stderr)
        return 2
    args.dir.mkdir(parents=True, exist_ok=True)
    site = WordPressSite(args.dir, archives)
    try:
        if args.command == "stop":
            site.stop()
            print("stopped")
        elif args.command == "truth":
            site.start()
            json.dump(site.truth(), sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            if not site.built:
                site.build()
            site.start()
            site.configure(
                yoast_organisation=args.organisation, strip_category_base=args.strip_category_base
            )
            print(
                f"{site.url}  (data in {args.dir}; stop: python -m tests.wordpress stop"
                f" --dir {args.dir})"
            )
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
