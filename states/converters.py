class Iso3:
    """A participant's code in a URL: three letters (or digits), of either case (a view redirects to
    capitals). Anything else, a NUL byte say, is a 404 before any query."""

    regex = "[A-Za-z0-9]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
