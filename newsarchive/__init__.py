"""newsarchive: a trustworthy, incrementally updated archive of KalbarOnline."""

__version__ = "0.1.0"
