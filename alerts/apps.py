from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self):
        # The depositary's decisions become alerts (alerts/signals.py).
        from alerts import signals  # noqa: F401
