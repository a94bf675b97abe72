"""A real WordPress test site: WordPress 6.4.1 with KalbarOnline's theme and plugins, on loopback.

See tests/wordpress/README.md. :mod:`tests.wordpress.site` builds, starts and stops it;
:mod:`tests.wordpress.content` is what it is seeded with; ``php/`` holds the scripts that run
inside WordPress (install, seed, configure, ground truth) and the router for ``php -S``.
"""
