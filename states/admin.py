from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from states.models import Participant


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "iso3", "iso2", "m49", "kind", "regional_group"]
    list_filter = ["kind", "regional_group"]
    search_fields = ["name", "iso3", "iso2"]
    filter_horizontal = ["members"]
