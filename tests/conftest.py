import io

import pytest
from django.core.management import call_command

from ratifications.models import Treaty


@pytest.fixture
def defaults(db) -> Treaty:
    """The shipped data: every participant, the Hanoi Convention and its verified status."""
    call_command("load_defaults", stdout=io.StringIO())
    return Treaty.objects.get(slug="hanoi-convention")
