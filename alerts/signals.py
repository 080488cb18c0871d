"""The one hook into the workflow: each decision of the depositary, as the audit trail
records it, becomes an event, in the decision's own transaction (alerts/models.py)."""

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from alerts.models import Event
from declarations.models import Declaration
from ratifications.models import Action

# The audit trail's reasons that are decisions (depositary/views.py names them too).
DECISIONS = ("verified", "rejected", "undone", "entered verified")


@receiver(post_create_historical_record, sender=Action.history.model)
def _decision(sender, instance, history_instance, **kwargs):
    if history_instance.history_change_reason in DECISIONS:
        Event.record_decision(instance, history_instance.history_change_reason, history_instance)


@receiver(post_create_historical_record, sender=Declaration.history.model)
def _declaration_decision(sender, instance, history_instance, **kwargs):
    # Its mission hears of the decisions on its own submissions, not of direct entries.
    if history_instance.history_change_reason in ("verified", "rejected", "undone"):
        Event.record_declaration_decision(
            instance, history_instance.history_change_reason, history_instance
        )
