"""The month names, in the catalogues so that Arabic dates read as UN documents write them.

UN documents in Arabic give each month its Levantine and its Egyptian name:
"24 كانون الأول/ديسمبر 2024"; Django's Arabic catalogue has only the second.
These msgids are Django's own (django.utils.dates.MONTHS, the date format's
"F"), and the catalogues in LOCALE_PATHS come before Django's, so locale/ar
overrides them; the other languages' catalogues repeat Django's names. Nothing
imports this module: it is here for `make messages` to find the strings.
"""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
