from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import MissionMembership

User = get_user_model()


class MissionMembershipInline(admin.TabularInline):
    model = MissionMembership
    extra = 1
    autocomplete_fields = ["participant"]
    verbose_name_plural = _("missions (the participants this user submits for)")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """The user admin with the user's missions; depositary staff are the group of that name."""

    inlines = [MissionMembershipInline]
    list_filter = [*UserAdmin.list_filter, "mission_memberships__participant"]


@admin.register(MissionMembership)
class MissionMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "participant", "created_at"]
    list_select_related = ["user", "participant"]
    search_fields = ["user__username", "user__email", "participant__name", "participant__iso3"]
    autocomplete_fields = ["user", "participant"]
