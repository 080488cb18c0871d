from django.contrib import admin

from declarations.models import Declaration
from ratifications.admin import ReadOnlyHistoryAdmin


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyHistoryAdmin):
    # Saving here runs Declaration.clean(): the same rules as the forms and the import.
    list_display = ["participant", "treaty", "kind", "made", "date", "articles", "review"]
    list_filter = ["review", "kind", "made", "treaty"]
    search_fields = ["ref", "participant__name", "participant__iso3", "articles", "notification"]
    autocomplete_fields = ["participant", "answers"]
    list_select_related = ["participant", "treaty"]
    date_hierarchy = "date"
    readonly_fields = [
        "ref",
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
