"""Reminder preferences, following an obligation, and the one-click unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from obligations import emails
from obligations.forms import ReminderPreferenceForm
from obligations.models import Follow, Obligation, ReminderPreference


def preferences(request):
    # A GET writes nothing: without saved settings the form shows the defaults.
    pref = ReminderPreference.objects.filter(user=request.user).first()
    form = ReminderPreferenceForm(
        request.POST or None, instance=pref or ReminderPreference(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Reminder settings saved.")
        return redirect("reminder_preferences")
    follows = Follow.objects.filter(user=request.user).select_related("obligation__order")
    return render(request, "obligations/reminders.html", {
        "form": form, "follows": follows, "email": request.user.email})  # fmt: skip


@require_POST
def follow(request, pk):
    """Follow (or stop following) an obligation: reminders about it whatever the agency."""
    obligation = get_object_or_404(Obligation, pk=pk)
    deleted, _ = Follow.objects.filter(user=request.user, obligation=obligation).delete()
    if not deleted:
        Follow.objects.create(user=request.user, obligation=obligation)
    messages.success(request, "Following it." if not deleted else "No longer following it.")
    return redirect(obligation)


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058 one-click)
def unsubscribe(request, token):
    user = emails.user_for_unsubscribe(token)
    if user is None:
        raise Http404()
    if request.method == "POST":
        pref, _ = ReminderPreference.objects.get_or_create(user=user)
        pref.paused = True
        pref.save(update_fields=["paused"])
        return render(request, "obligations/unsubscribed.html", {"done": True})
    return render(request, "obligations/unsubscribed.html", {"done": False})
