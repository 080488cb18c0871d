import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("states", "0002_history_and_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MissionMembership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("participant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="mission_memberships", to="states.participant")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="mission_memberships", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "mission membership",
                "constraints": [models.UniqueConstraint(fields=("user", "participant"), name="membership_once")],
            },
        ),
    ]
