from django.contrib import admin

from depositary.models import Dismissal, Reconciliation
from ratifications.admin import ReadOnlyHistoryAdmin


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    # A record of each check against the depositary's file: read, never edited.
    list_display = ["treaty", "checked_at", "checked_by", "origin", "source", "found"]
    list_filter = ["treaty", "origin"]
    list_select_related = ["treaty", "checked_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dismissal)
class DismissalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "treaty", "dismissed_by", "dismissed_at"]
    list_filter = ["treaty", "kind"]
    list_select_related = ["treaty", "dismissed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
