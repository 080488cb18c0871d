"""The articles a declaration concerns, as written ("7(2); 63(3)") and as data.

A plain module: the forms, the import and the data migration read articles with
the same function, and each record keeps them in one canonical spelling, from which
`Provision` rows are made (so that "who reserved under article 63" is a query).
"""

import re
from typing import NamedTuple

from django.utils.translation import gettext as _

# "63", "63(3)", "46(4)(b)", optionally after "art." or "article"; spaces allowed.
_ONE = re.compile(
    r"(?:art(?:icles?|s)?\.?\s*)?(?P<article>\d{1,3})"
    r"(?:\s*\(\s*(?P<paragraph>\d{1,3})\s*\))?"
    r"(?:\s*\(\s*(?P<subparagraph>[a-z]{1,4})\s*\))?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[;,]")


class Article(NamedTuple):
    """An article, or one of its paragraphs (0: the whole article), or a subparagraph."""

    article: int
    paragraph: int = 0
    subparagraph: str = ""

    def __str__(self):
        label = str(self.article)
        if self.paragraph:
            label += f"({self.paragraph})"
        if self.subparagraph:
            label += f"({self.subparagraph})"
        return label


def parse(text: str) -> list[Article]:
    """The articles written in `text`, in order and each once; ValueError saying which item
    cannot be read. Separated by semicolons or commas; empty text: none."""
    found = set()
    for item in _SEPARATORS.split(text):
        item = item.strip()
        if not item:
            continue
        match = _ONE.fullmatch(item)
        if not match or int(match["article"]) == 0 or int(match["paragraph"] or 1) == 0:
            raise ValueError(
                _(
                    "%(item)s is not an article: write each as 63, 63(3) or 46(4)(b), "
                    "separated by semicolons."
                )
                % {"item": repr(item[:40])}
            )
        found.add(
            Article(
                int(match["article"]),
                int(match["paragraph"] or 0),
                (match["subparagraph"] or "").lower(),
            )
        )
    return sorted(found)


def canonical(articles: list[Article]) -> str:
    """The one spelling kept and exported: "7(2); 9(2); 63(3)"."""
    return "; ".join(str(article) for article in articles)
