"""The page where a signed-in person makes, lists and revokes their API tokens. A new token is
shown once, on the answer to the form that made it; only its hash is kept."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from obligations.api.tokens import new_token
from obligations.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What it is for, e.g. “DHS reporting script”."
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise forms.ValidationError("A name is one line of text, without control characters.")
        return name


def api_tokens(request):
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        row, made = new_token(request.user, form.cleaned_data["name"])
        messages.success(request, f"Token “{row.name}” made. Copy it now: it is not shown again.")
        form = TokenForm()
    mine = ApiToken.objects.filter(user=request.user, revoked_at=None)
    response = render(request, "obligations/api_tokens.html", {
        "form": form, "tokens": mine, "made": made,
    }, status=400 if form.errors else 200)  # fmt: skip
    if made:  # the page holds the secret: kept by no cache, sent to no other site
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def api_token_revoke(request, pk):
    row = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at=None)
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    messages.success(request, f"Token “{row.name}” ({row.prefix}…) revoked: it no longer works.")
    return redirect("api_tokens")
