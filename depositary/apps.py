from django.apps import AppConfig


class DepositaryConfig(AppConfig):
    name = "depositary"
    verbose_name = "Depositary workspace"
