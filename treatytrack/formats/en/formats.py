"""English dates as the United Nations writes them: "25 October 2025", a 24-hour clock.

Django's own English formats ("Oct. 25, 2025", "3:15 p.m.") are American; a
format this module leaves out falls back to them.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
