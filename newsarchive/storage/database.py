"""sqlite-utils, as the package imports it: without pandas and numpy.

sqlite-utils imports pandas and numpy whenever they are installed, only to map their value
types when inserting; the archive never gives it either. Importing them costs every command
over half a second of CPU and about 110 MB (a crawl's peak RSS: 220 → 104 MB), so this module, the
one place the package imports sqlite-utils from, hides them while sqlite-utils loads. They
stay importable for anything else afterwards.
"""

from __future__ import annotations

import sys

_HIDDEN = [name for name in ("pandas", "numpy") if name not in sys.modules]
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # `import` raises ImportError
try:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations
finally:
    for _name in _HIDDEN:
        sys.modules.pop(_name, None)

__all__ = ["Database", "Migrations"]
