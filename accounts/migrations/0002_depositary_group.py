"""The depositary staff group, with the permissions to verify and import actions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Depositary staff"
PERMISSIONS = ["verify_action", "import_actions"]


def create_group(apps, schema_editor):
    # Permissions are otherwise created after all migrations have run.
    ratifications = apps.get_app_config("ratifications")
    ratifications.models_module = True
    create_permissions(ratifications, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ratifications", codename__in=PERMISSIONS
        )
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("ratifications", "0002_history_and_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
