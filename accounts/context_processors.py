from functools import partial

from accounts.models import can_import, is_depositary_staff, is_mission_staff


def roles(request):
    """The header's links. Lazy: a page that shows no header links runs no query."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "is_mission_staff": partial(is_mission_staff, user),
        "is_depositary_staff": partial(is_depositary_staff, user),
        "can_import": partial(can_import, user),
    }
