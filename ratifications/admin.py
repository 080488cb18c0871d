from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from ratifications.models import Action, Treaty


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """The history is shown, never reverted: a past version is read, not saved again."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Treaty)
class TreatyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["short_name", "slug", "untc_reference", "threshold", "parent"]
    prepopulated_fields = {"slug": ["short_name"]}
    search_fields = ["short_name", "slug", "untc_reference"]


@admin.register(Action)
class ActionAdmin(ReadOnlyHistoryAdmin):
    # Saving through the admin runs Action.clean(), so the rules engine checks
    # every change made here as it does the forms and the import.
    list_display = ["participant", "treaty", "kind", "date", "review"]
    list_filter = ["review", "kind", "treaty"]
    search_fields = ["participant__name", "participant__iso3", "notification"]
    autocomplete_fields = ["participant"]
    list_select_related = ["participant", "treaty"]
    date_hierarchy = "date"
    readonly_fields = [
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "updated_at",
        "version",
    ]

    def has_delete_permission(self, request, obj=None):
        # Submissions are withdrawn or rejected, never deleted: the trail stays whole.
        return False
