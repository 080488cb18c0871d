from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ratifications.models import Action, Treaty


@admin.register(Treaty)
class TreatyAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "slug", "untc_reference", "threshold", "parent"]
    prepopulated_fields = {"slug": ["short_name"]}
    search_fields = ["short_name", "slug", "untc_reference"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    # Saving through the admin runs Action.clean(), so the rules engine checks
    # every change made here as it does the forms and the import.
    list_display = ["participant", "treaty", "kind", "date", "state"]
    list_filter = ["state", "kind", "treaty"]
    search_fields = ["participant__name", "participant__iso3", "notification"]
    autocomplete_fields = ["participant"]
    list_select_related = ["participant", "treaty"]
    date_hierarchy = "date"
    readonly_fields = ["submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "updated_at"]
