"""One page class per markup generation of the site, tried in the order of `LAYOUTS`."""

from newsarchive.pages.layouts.amp import AmpPage
from newsarchive.pages.layouts.generic import GenericPage
from newsarchive.pages.layouts.newkarma import NewkarmaPage
from newsarchive.pages.layouts.news5 import News5Page

# AMP first: an AMP copy may still carry the desktop theme's classes in its markup.
LAYOUTS = (AmpPage, NewkarmaPage, News5Page)

__all__ = ["LAYOUTS", "AmpPage", "GenericPage", "NewkarmaPage", "News5Page"]
