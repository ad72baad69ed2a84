"""E-mail messages, each built from three templates (subject, text body, HTML body)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse

UNSUBSCRIBE_SALT = "obligations.reminders.unsubscribe"


def render_plain(template_name: str, ctx: dict) -> str:
    """A plain-text template rendered without HTML escaping, whatever the template says: a
    subject or a text body shows "&" and "'" as themselves, never as "&amp;" and "&#x27;"."""
    return get_template(template_name).template.render(Context(ctx, autoescape=False))


def make_message(name: str, to: str, ctx: dict, headers: dict | None = None):
    subject = " ".join(render_plain(f"emails/{name}-subject.txt", ctx).split())
    text = render_plain(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)  # escaped, as every HTML page
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(user) -> str:
    """A signed link that pauses the user's reminders; it needs no sign-in and does not expire."""
    token = signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute(reverse("unsubscribe", args=[token]))


def user_for_unsubscribe(token: str):
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("user")).first()


def reminder_links(user) -> dict:
    """The links at the foot of every reminder to `user`: signing the unsubscribe token costs
    more than anything else in a message, so a run makes them once per person."""
    return {
        "unsubscribe": unsubscribe_url(user),
        "preferences": absolute(reverse("reminder_preferences")),
    }


def reminder(user, items: list[dict], today, links: dict):
    """One e-mail about one or more due dates (a digest when there are several); `links` from
    reminder_links(user)."""
    ctx = {"user": user, "items": items, "today": today, **links}
    headers = {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "X-Reminder-IDs": ",".join(str(item["reminder"].pk) for item in items),
        "Auto-Submitted": "auto-generated",
    }
    return make_message("reminder", user.email, ctx, headers)
