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


# The groups of a digest, in order; the overdue backlog is only counted, with a link to the list.
GROUPS = {
    "week": "Due this week",
    "new": "Newly overdue",
    "later": "Coming up",
    "backlog": "Overdue backlog",
}


def reminder(user, items: list[dict], today, links: dict):
    """One e-mail about one or more due dates (a digest when there are several); `links` from
    reminder_links(user). A digest lists what is due this week, then what is newly overdue,
    then what is coming up later, and counts the overdue backlog (by order) with a link."""
    digest = len(items) > 1
    groups = [
        {"key": key, "title": title, "items": [i for i in items if i["group"] == key]}
        for key, title in GROUPS.items()
    ]
    groups = [g for g in groups if g["items"]]
    backlog = None
    if digest and groups[-1]["key"] == "backlog":
        late = groups.pop()["items"]
        orders = {}
        for item in late:
            orders[item["order"]] = orders.get(item["order"], 0) + 1
        backlog = {
            "count": len(late),
            "orders": sorted(orders.items()),
            "url": absolute(reverse("obligation_list") + "?status=overdue"),
        }
    ctx = {"user": user, "items": items, "today": today, "groups": groups, "backlog": backlog,
           "digest": digest, "counts": _counts(groups, backlog), **links}  # fmt: skip
    ctx["preview"] = _preview(ctx)
    headers = {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "List-Id": f"Obligation tracker reminders <{settings.REMINDER_LIST_ID}>",  # RFC 2919
        "Precedence": "bulk",  # no vacation replies (RFC 3834 readers)
        "X-Auto-Response-Suppress": "All",  # nor Exchange's out-of-office and receipts
        # ", ": a long list folds onto lines of its own (an SMTP line holds 998 characters)
        "X-Reminder-IDs": ", ".join(str(item["reminder"].pk) for item in items),
        "Auto-Submitted": "auto-generated",
    }
    return make_message("reminder", user.email, ctx, headers)


def _counts(groups, backlog) -> str:
    """ "3 due this week, 2 newly overdue, 40 overdue": the digest's subject and preview."""
    words = {"week": "due this week", "new": "newly overdue", "later": "coming up"}
    parts = [f"{len(g['items'])} {words[g['key']]}" for g in groups if g["key"] in words]
    if backlog:
        parts.append(f"{backlog['count']} overdue")
    return ", ".join(parts)


def _preview(ctx) -> str:
    """The line a mail client shows after the subject: the hidden preheader of the HTML and
    the first line of the text. A digest: its counts and the first item it lists."""
    if not ctx["digest"]:
        item = ctx["items"][0]
        return f"{_line(item)} ({item['state']})."
    listed = [item for group in ctx["groups"] for item in group["items"]]
    if not listed:  # only the backlog
        return f"{ctx['counts']}: still open."
    return f"{ctx['counts']}. First: {_line(listed[0])}."


def _line(item) -> str:
    return f"{item['when']}: {item['order']} Sec. {item['section']}: {item['label']}"
