"""newsarchive: a trustworthy, incrementally updated archive of KalbarOnline."""

__version__ = "0.1.0"

# The extraction rules' version, stored with every article. Bump it when a change to
# newsarchive.pages can change what is extracted; `newsarchive reparse` then records the new
# output as revisions.
PARSER_VERSION = "1"
