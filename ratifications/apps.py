from django.apps import AppConfig


class RatificationsConfig(AppConfig):
    name = "ratifications"
    verbose_name = "Treaties and actions"
