"""The subscription pages: follow, confirm, manage, unsubscribe (docs/alerts.md).

None of them is `@public`: each sets or shows one person's state, so none is kept by the
cache (treatytrack/caching.py), and every form carries a CSRF token. Every change, and every
page reached by a token (read at four times the rate), counts against its client's limit,
and what sends mail against the address's too (alerts/limits.py). The one exception to
the CSRF token is the one-click unsubscribe, which mail providers POST without one (RFC
8058): its URL's secret token is its key.

A subscriber's page is reached by the token in the links of the mail it receives:
whoever can read that mail may change what it receives. Nothing is mailed from a request:
the worker sends it (Event.record).
"""

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alerts.forms import AddressForm, EndpointForm, FollowForm, LanguageForm, SubscribeForm
from alerts.limits import limited, throttled, too_many_calls, too_many_mails
from alerts.models import Endpoint, Event, Follow, Subscriber, Topic


def _subscriber(token: str) -> Subscriber:
    """The subscriber whose page this is: its token is the only way in."""
    return get_object_or_404(Subscriber, token=token)


@require_http_methods(["GET", "POST"])
@limited
def subscribe(request):
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            if too_many_mails(form.cleaned_data["email"]):
                return throttled(request)
            _follow_by_mail(form)
            return redirect("alerts:sent")
    else:
        form = SubscribeForm(
            initial={
                "treaty": request.GET.get("treaty", settings.DEFAULT_TREATY_SLUG),
                "participant": request.GET.get("participant", "").upper(),
                "topics": ["verified", "entry_into_force"],
                "language": translation.get_language(),
            }
        )
    return render(
        request,
        "alerts/subscribe.html",
        {"form": form, "address_form": AddressForm()},
        status=400 if form.errors else 200,
    )


def _follow_by_mail(form: SubscribeForm) -> None:
    """Ask the address to confirm; the same answer whether it is known or not, so the page
    tells nobody who follows what. A follow already confirmed is changed from its page only."""
    data = form.cleaned_data
    with transaction.atomic():
        subscriber = Subscriber.objects.for_address(data["email"])
        if subscriber.confirmed_at is None:
            subscriber.language = data["language"]
            subscriber.save(update_fields=["language"])
        follow = Follow.objects.filter(
            subscriber=subscriber, treaty=data["treaty"], participant=data["participant"]
        ).first()
        if follow and follow.confirmed_at:
            subscriber.ask(Event.Kind.LINK)
            return
        follow = follow or Follow(
            subscriber=subscriber, treaty=data["treaty"], participant=data["participant"]
        )
        follow.topics = {Topic(value) for value in data["topics"]}
        follow.save()
        subscriber.ask(Event.Kind.CONFIRM, follow=follow)


@require_safe
def sent(request):
    return render(request, "alerts/sent.html")


@require_POST
@limited
def link(request):
    """Mail the address the link to its page, if it has one; the same answer either way."""
    form = AddressForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "alerts/subscribe.html",
            {"form": SubscribeForm(), "address_form": form},
            status=400,
        )
    email = form.cleaned_data["email"].strip().lower()
    if too_many_mails(email):
        return throttled(request)
    subscriber = Subscriber.objects.filter(email=email).exclude(confirmed_at=None).first()
    if subscriber:
        with transaction.atomic():
            subscriber.ask(Event.Kind.LINK)
    return redirect("alerts:sent")


@require_http_methods(["GET", "POST"])
@limited
def confirm(request, token):
    """The link in the confirmation mail: a page with a button (a mail scanner that
    follows links confirms nothing), then the subscriber's page."""
    follow = Follow.from_confirmation(token)
    if follow is None:
        return render(request, "alerts/confirm.html", {"expired": True}, status=404)
    if request.method == "POST":
        follow.confirm()
        messages.success(
            request, _("Confirmed. You follow: %(subject)s.") % {"subject": follow.subject}
        )
        return redirect("alerts:manage", follow.subscriber.token)
    return render(request, "alerts/confirm.html", {"follow": follow})


def _manage_context(subscriber, **forms) -> dict:
    follows = subscriber.follows.select_related("treaty", "participant").order_by("created_at")
    endpoints = subscriber.endpoints.select_related("treaty", "participant")
    return {
        "subscriber": subscriber,
        "follows": [(f, FollowForm(instance=f, prefix=f"follow-{f.pk}")) for f in follows],
        "endpoints": endpoints,
        "follow_form": forms.get("follow_form") or FollowForm(prefix="new"),
        "endpoint_form": forms.get("endpoint_form") or EndpointForm(prefix="webhook"),
        "language_form": LanguageForm(initial={"language": subscriber.language}),
    }


@require_safe
@limited
def manage(request, token):
    subscriber = _subscriber(token)
    return render(request, "alerts/manage.html", _manage_context(subscriber))


@require_POST
@limited
def language(request, token):
    subscriber = _subscriber(token)
    form = LanguageForm(request.POST)
    if form.is_valid():
        subscriber.language = form.cleaned_data["language"]
        subscriber.save(update_fields=["language"])
        messages.success(request, _("Saved: your mail comes in the language chosen."))
    return redirect("alerts:manage", token)


@require_POST
@limited
def add_follow(request, token):
    """Follow one more thing: confirmed at once, since only the address's mail leads here."""
    subscriber = _subscriber(token)
    form = FollowForm(request.POST, prefix="new", instance=Follow(subscriber=subscriber))
    if form.is_valid():
        try:
            with transaction.atomic():
                follow = form.save()
        except IntegrityError:
            form.add_error(None, _("You follow this already: change it in the list above."))
        else:
            follow.confirm()
            messages.success(request, _("You follow: %(subject)s.") % {"subject": follow.subject})
            return redirect("alerts:manage", token)
    context = _manage_context(subscriber, follow_form=form)
    return render(request, "alerts/manage.html", context, status=400)


@require_POST
@limited
def change_follow(request, token, pk):
    subscriber = _subscriber(token)
    follow = get_object_or_404(subscriber.follows, pk=pk)
    form = FollowForm(request.POST, instance=follow, prefix=f"follow-{pk}")
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            messages.error(request, _("You follow that already: change it in the list."))
        else:
            follow.confirm()
            messages.success(request, _("Saved: %(subject)s.") % {"subject": follow.subject})
        return redirect("alerts:manage", token)
    context = _manage_context(subscriber)
    context["follows"] = [
        (f, form if f.pk == follow.pk else other) for f, other in context["follows"]
    ]
    return render(request, "alerts/manage.html", context, status=400)


@require_POST
@limited
def stop_follow(request, token, pk):
    subscriber = _subscriber(token)
    follow = get_object_or_404(subscriber.follows, pk=pk)
    follow.delete()
    messages.success(request, _("You no longer follow: %(subject)s.") % {"subject": follow.subject})
    return redirect("alerts:manage", token)


@require_POST
@limited
def add_endpoint(request, token):
    subscriber = _subscriber(token)
    form = EndpointForm(request.POST, prefix="webhook", instance=Endpoint(owner=subscriber))
    if form.is_valid():
        endpoint = form.save()
        messages.success(
            request,
            _("Webhook added: %(url)s. Its secret is on its page.") % {"url": endpoint.url},
        )
        return redirect("alerts:endpoint", token, endpoint.pk)
    context = _manage_context(subscriber, endpoint_form=form)
    return render(request, "alerts/manage.html", context, status=400)


# How many of an endpoint's deliveries its page lists, newest first.
LOG_SIZE = 50


@require_safe
@limited
def endpoint(request, token, pk):
    """A webhook's secret and its delivery log: what was sent, when, and how it went."""
    subscriber = _subscriber(token)
    endpoint = get_object_or_404(
        subscriber.endpoints.select_related("treaty", "participant"), pk=pk
    )
    deliveries = endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")
    return render(
        request,
        "alerts/endpoint.html",
        {"subscriber": subscriber, "endpoint": endpoint, "deliveries": deliveries[:LOG_SIZE]},
    )


@require_POST
@limited
def enable_endpoint(request, token, pk):
    subscriber = _subscriber(token)
    endpoint = get_object_or_404(subscriber.endpoints, pk=pk)
    endpoint.enable()
    messages.success(request, _("Webhook enabled: the next events will call it."))
    return redirect("alerts:endpoint", token, pk)


@require_POST
@limited
def remove_endpoint(request, token, pk):
    subscriber = _subscriber(token)
    endpoint = get_object_or_404(subscriber.endpoints, pk=pk)
    endpoint.delete()
    messages.success(request, _("Webhook removed: %(url)s.") % {"url": endpoint.url})
    return redirect("alerts:manage", token)


@require_POST
@limited
def forget(request, token):
    """Everything about the address goes: what it follows, its webhooks and their logs."""
    _subscriber(token).delete()
    return render(request, "alerts/unsubscribed.html", {"forgotten": True})


@require_http_methods(["GET", "POST"])
@limited
def unsubscribe(request, token):
    """The link at the foot of every alert: a page with one button."""
    subscriber = _subscriber(token)
    if request.method == "POST":
        subscriber.unsubscribe()
        return render(request, "alerts/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "alerts/unsubscribe.html", {"subscriber": subscriber})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def one_click(request, token):
    """RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click` here, without cookies
    or a CSRF token; the token in the URL, known only to the mail's reader, is the key.
    A GET (a person who opened the address) is sent to the page with the button."""
    if request.method == "GET":
        return redirect("alerts:unsubscribe", token)
    # Counted per link, not per client: one mail provider unsubscribes many people.
    if too_many_calls(token):
        return throttled(request)
    subscriber = _subscriber(token)
    subscriber.unsubscribe()
    return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
