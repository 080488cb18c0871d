import datetime as dt
import uuid

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ratifications.importing import ImportPlan, RecordsChanged, plan_import
from ratifications.models import Treaty

# An upload nobody confirmed is forgotten after this long.
KEPT_UNCONFIRMED = dt.timedelta(days=1)


class UploadQuerySet(models.QuerySet):
    def stale(self):
        """Uploads never confirmed and no longer worth keeping."""
        return self.filter(
            imported_at__isnull=True, uploaded_at__lt=timezone.now() - KEPT_UNCONFIRMED
        )


class Upload(models.Model):
    """A CSV file uploaded in the browser, kept from its check to its confirmation.

    Kept with or without errors: its address checks it again against the records as
    they are (so a file refused for what the records lacked need not be chosen again),
    and a corrected file replaces it. Confirming imports this very file, checked
    again by the same code as the `import_actions` command, so that what is written
    is what was previewed.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    imported_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(null=True, blank=True)
    already_there = models.PositiveIntegerField(null=True, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            # Counts are those of the import: present exactly when it happened.
            models.CheckConstraint(
                condition=models.Q(
                    imported_at__isnull=True, added__isnull=True, already_there__isnull=True
                )
                | models.Q(
                    imported_at__isnull=False, added__isnull=False, already_there__isnull=False
                ),
                name="upload_counts_when_imported",
            ),
        ]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("imports:preview", args=[self.token])

    def plan(self, **options) -> ImportPlan:
        return plan_import(bytes(self.data), self.treaty, **options)

    def confirm(self, user, revision: int | None) -> None:
        """Import the file as it was previewed, once.

        `revision` is the record's revision the preview was made at: RecordsChanged
        if anything was written since (nothing is written then).
        """
        with transaction.atomic():
            # A second click, or a second tab, finds the import done.
            locked = Upload.objects.select_for_update().get(pk=self.pk)
            if locked.imported_at is not None:
                self.imported_at, self.added, self.already_there = (
                    locked.imported_at,
                    locked.added,
                    locked.already_there,
                )
                return
            plan = self.plan()
            if revision is None or not plan.ok:
                # Only the records can have changed: the file is the one kept.
                raise RecordsChanged
            self.added = plan.apply(user, expected_revision=revision)
            self.already_there = len(plan.already_there)
            self.imported_at = timezone.now()
            self.save(update_fields=["imported_at", "added", "already_there"])
