"""Formatting of report figures: durations, percentages, intervals."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """4m 10s, 2h 05m, 3d 4h; an em dash when there is no value."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return _("%(s)ds") % {"s": seconds}
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return _("%(m)dm %(s)02ds") % {"m": minutes, "s": s}
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)dh %(m)02dm") % {"h": hours, "m": m}
    days, h = divmod(hours, 24)
    return _("%(d)dd %(h)dh") % {"d": days, "h": h}


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def interval(proportion) -> str:
    bounds = proportion.interval if proportion is not None else None
    if not bounds:
        return "—"
    return f"{bounds[0] * 100:.1f}-{bounds[1] * 100:.1f}%"


@register.filter
def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
