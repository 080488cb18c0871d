from django.contrib import admin

from imports.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    # A record of who imported what; the file itself is not shown.
    list_display = ["filename", "treaty", "uploaded_by", "uploaded_at", "imported_at", "added"]
    list_filter = ["treaty"]
    list_select_related = ["treaty", "uploaded_by"]
    exclude = ["data"]
    readonly_fields = [
        "token",
        "treaty",
        "uploaded_by",
        "uploaded_at",
        "filename",
        "imported_at",
        "added",
        "already_there",
    ]

    def has_add_permission(self, request):
        return False
