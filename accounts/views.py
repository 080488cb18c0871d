import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from accounts.models import is_depositary_staff, is_mission_staff
from treatytrack.throttling import one_more


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


def _one_more(key: str) -> int:
    return one_more(key, settings.PASSWORD_RESET_WINDOW)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit: PASSWORD_RESET_LIMIT requests per PASSWORD_RESET_WINDOW from
    one client address (nobody floods the mail server) and for one e-mail address (nobody
    floods a person's mailbox). django-axes throttles signing in only.

    The counters live in the cache: shared by every process with CACHE_URL's Redis,
    per process without it. E-mail addresses are kept there as digests only.
    """

    def form_valid(self, form):
        client = import_string(settings.AXES_CLIENT_IP_CALLABLE)(self.request)
        email = form.cleaned_data["email"].strip().lower()
        counts = [
            _one_more(f"password-reset:address:{client}"),
            _one_more(f"password-reset:email:{hashlib.sha256(email.encode()).hexdigest()}"),
        ]
        if max(counts) > settings.PASSWORD_RESET_LIMIT:
            minutes = int(settings.PASSWORD_RESET_WINDOW.total_seconds() // 60)
            return render(
                self.request,
                "registration/password_reset_throttled.html",
                {"minutes": minutes},
                status=429,
            )
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
