from django.contrib import admin

from alerts.models import Delivery, Endpoint, Event, Follow, Subscriber


class FollowInline(admin.TabularInline):
    model = Follow
    extra = 0
    raw_id_fields = ["participant"]


class EndpointInline(admin.StackedInline):
    model = Endpoint
    extra = 0
    fk_name = "owner"
    raw_id_fields = ["participant"]
    readonly_fields = ["disabled_at", "disabled_reason"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "language", "created_at", "confirmed_at"]
    search_fields = ["email"]
    inlines = [FollowInline, EndpointInline]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["email", "endpoint", "status", "attempts", "sent_at", "response_status", "last_error"]
    readonly_fields = fields


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """What was told, to whom, and how it went: read only, as a log."""

    list_display = ["key", "kind", "created_at", "fanned_out_at"]
    list_filter = ["kind"]
    search_fields = ["key"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "email", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["email", "endpoint__url", "event__key"]
    raw_id_fields = ["event", "subscriber", "endpoint"]

    def has_add_permission(self, request):
        return False
