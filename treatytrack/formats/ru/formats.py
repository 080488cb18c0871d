"""Russian dates as UN documents in Russian write them: "25 октября 2025 года".

Django abbreviates the year and ends the date with a full stop, which doubles
at the end of a sentence ("Принята 24 декабря 2024 года." reads right; the
abbreviation gave two stops). A format this module leaves out falls back to
Django's.
"""

DATE_FORMAT = "j E Y года"
DATETIME_FORMAT = "j E Y года, H:i"
