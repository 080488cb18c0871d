"""Arabic dates as United Nations documents in Arabic write them: day, month, year, no comma.

Django's Arabic formats write "25 أكتوبر، 2025" and have no date-and-time
format of their own (it would fall back to the American English one). Digits
stay Western (0-9), as in UN Arabic documents: Django never converts them.
A format this module leaves out falls back to Django's.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
TIME_FORMAT = "H:i"
