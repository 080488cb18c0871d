"""Atom feeds of verified actions, newest first: one per treaty, one per participant.

The views in `ratifications.views` look the object up and hand it to the feed; like every
public view, the feeds' conditional requests and kept copies are `treatytrack/caching.py`'s.

Each entry is dated by the action itself (docs/open-data.md): `published` is its date as
the depositary records it, `updated` the moment a person verified it in the tracker, or
its date again when nobody did (the shipped status, `import_actions`), so that loading
data never stamps every entry with the same moment.
"""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db import models
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from ratifications.models import Action
from ratifications.rules import UN_HEADQUARTERS

# A reader wants what is new; the whole history is in actions.csv.
LATEST = 100


class _ActionFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Treatytrack"

    def get_object(self, request, obj):
        return obj

    def items(self, obj):
        return (
            Action.objects.verified()
            .filter(**{self.owner: obj})
            .select_related("treaty", "participant")
            .order_by("-date", "-pk")
            .fetch_mode(models.FETCH_RAISE)[:LATEST]
        )

    def item_title(self, item):
        return _("%(participant)s: %(kind)s of the %(treaty)s, %(day)s") % {
            "participant": item.participant.name,
            "kind": item.get_kind_display().lower(),
            "treaty": item.treaty.short_name,
            "day": date_format(item.date, "DATE_FORMAT"),
        }

    def item_description(self, item):
        # Django writes the summary as `type="html"`: the place, notification and source,
        # which missions type, are escaped so that a feed reader shows them as text
        # rather than running markup from them.
        parts = [
            item.place and _("Place: %s.") % item.place,
            item.notification and _("Depositary notification %s.") % item.notification,
            item.source and _("Source: %s.") % item.source,
        ]
        return escape(" ".join(part for part in parts if part))

    def item_link(self, item):
        return f"{item.participant.get_absolute_url()}#action-{item.pk}"

    def item_pubdate(self, item):
        # The action's own date, at the start of that New York day.
        return dt.datetime.combine(item.date, dt.time(), tzinfo=UN_HEADQUARTERS)

    def item_updateddate(self, item):
        # Verified by someone (the depositary's queue, its direct entry, an upload): from
        # then on it is public. Loaded without a reviewer (the shipped status, the command
        # line): its load time says nothing, so the action's own date stands.
        published = self.item_pubdate(item)
        if item.reviewed_by_id is None or item.reviewed_at is None:
            return published
        return max(item.reviewed_at.astimezone(UN_HEADQUARTERS), published)


class TreatyFeed(_ActionFeed):
    owner = "treaty"

    def title(self, obj):
        return _("%(treaty)s: verified actions") % {"treaty": obj.short_name}

    def subtitle(self, obj):
        return _("Signatures, instruments and denunciations, as verified by Treatytrack.")

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("ratifications:feed", args=[obj.slug])


class ParticipantFeed(_ActionFeed):
    owner = "participant"

    def title(self, obj):
        return _("%(participant)s: verified actions") % {"participant": obj.name}

    def subtitle(self, obj):
        return _(
            "Its signatures, instruments and denunciations, on every treaty Treatytrack follows."
        )

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("ratifications:participant_feed", args=[obj.iso3])
