"""The one place code asks for "today" and for elapsed time, so tests can pin them."""

import time

from django.utils import timezone


def today():
    """Today's date in settings.TIME_ZONE (the orders' jurisdiction)."""
    return timezone.localdate()


def monotonic() -> float:
    """Seconds on a clock that only goes forward: what a run's time budget is measured on."""
    return time.monotonic()
