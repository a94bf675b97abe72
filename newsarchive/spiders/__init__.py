"""Spiders decide what to fetch and in what order; all parsing is delegated to newsarchive.pages."""
