"""The one place code asks for "today", so tests can pin it."""

from django.utils import timezone


def today():
    """Today's date in settings.TIME_ZONE (the orders' jurisdiction)."""
    return timezone.localdate()
