from django.contrib import admin

from ratifications.admin import ReadOnlyHistoryAdmin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ["participant", "treaty", "kind", "date", "confidence"]
    list_filter = ["kind", "confidence", "treaty"]
    search_fields = ["participant__name", "participant__iso3", "summary", "source"]
    autocomplete_fields = ["participant"]
    list_select_related = ["participant", "treaty"]
    readonly_fields = ["reported_by", "reported_at"]
