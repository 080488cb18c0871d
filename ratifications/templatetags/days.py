"""`{{ value|day }}`: Django's `date` filter for a date, remembered for each language.

A dashboard writes the same few dates hundreds of times (69 signatures on one day);
formatting each anew cost a fifth of its rendering. The format is Django's own, for the
active language (`DATE_FORMAT` unless another is named), as the `date` filter writes it.
"""

import datetime as dt
import functools

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def day(value: dt.date | None, format: str = "DATE_FORMAT") -> str:
    if not value:
        return ""
    return _day(value, format, get_language())


@functools.lru_cache(maxsize=4096)
def _day(value: dt.date, format: str, language: str) -> str:
    return date_format(value, format)
