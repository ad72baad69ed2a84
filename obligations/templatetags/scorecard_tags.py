"""How the scorecard pages print their numbers (the tests read them back the same way)."""

from django import template

register = template.Library()


@register.filter
def median_days(value) -> str:
    """5 -> "5", 5.5 -> "5.5"; none -> "–"."""
    return "–" if value is None else f"{value:g}"


@register.filter
def percent(value) -> str:
    """0.5 -> "50%"; none (nothing to divide by) -> "–"."""
    return "–" if value is None else f"{value:.0%}"
