from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from accounts.models import is_depositary_staff, is_mission_staff


@require_safe
@login_required
def home(request):
    """Where signing in leads: the workspace of the user's role."""
    user = request.user
    if is_depositary_staff(user):
        return redirect("depositary:queue")
    if is_mission_staff(user):
        return redirect("missions:workspace")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("ratifications:home")
