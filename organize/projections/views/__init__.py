"""Every view module; importing this package registers them all."""

from organize.projections.views import organisations  # noqa: F401
