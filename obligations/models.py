import hashlib
import json
import secrets
import uuid
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from obligations import clock, hierarchy, series, titles, tracks
from obligations.extraction import HEADER_LIMITS
from obligations.schedule import Conventions, Rule, due_dates

DUE_SOON_DAYS = 7


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, help_text="Members of this group act for the agency."
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="components",
        help_text="The department this agency is a component of (ICE: DHS).",
    )  # fmt: skip
    updated = models.DateTimeField(auto_now=True, db_index=True)  # the data version (versions.py)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def named(cls, name, abbreviation=""):
        """The agency of this name, made if missing: a new one known to fixtures/agencies.json
        gets the file's abbreviation (curated, where the caller's is guessed from initials) and
        its parent, made the same way."""
        agency = cls.objects.filter(name=name).first()
        if agency:
            return agency
        entry = hierarchy.known().get(name, {})
        parent = cls.named(entry["parent"]) if entry.get("parent") else None
        group, _ = Group.objects.get_or_create(name=f"Agency: {name}"[:150])
        abbreviation = entry.get("abbreviation") or abbreviation
        return cls.objects.create(name=name, abbreviation=abbreviation, group=group, parent=parent)


class Order(models.Model):
    class Kind(models.TextChoices):
        EXECUTIVE_ORDER = "executive order"
        MEMORANDUM = "memorandum"
        PROCLAMATION = "proclamation"
        OTHER = "other"

    number = models.CharField(max_length=HEADER_LIMITS["number"], blank=True, db_index=True)
    title = models.CharField(max_length=HEADER_LIMITS["title"], blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.EXECUTIVE_ORDER)
    signed = models.DateField(
        null=True, blank=True, help_text="Anchor of 'the date of this order'."
    )
    effective = models.DateField(
        null=True, blank=True, help_text="Stated effective date; anchors deadlines counted from it."
    )
    published = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(
        null=True, blank=True, help_text="Series end here; later occurrences are not required."
    )
    revoked_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revoked_orders"
    )
    revokes = models.JSONField(default=list, blank=True, help_text="Numbers of orders it revokes.")
    amends = models.JSONField(default=list, blank=True, help_text="Numbers of orders it amends.")
    text = models.TextField(help_text="The full input, exactly as imported; spans point into it.")
    text_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    citation = models.CharField(max_length=HEADER_LIMITS["citation"], blank=True)
    source = models.CharField(max_length=HEADER_LIMITS["source"], blank=True)
    document_number = models.CharField(
        max_length=40, blank=True, help_text="The Federal Register's document number (2017-02102)."
    )
    fr_notes = models.TextField(
        blank=True, help_text="The Federal Register's notes ('Revoked by: EO 13993, ...')."
    )
    implements_numbers = models.JSONField(
        default=list, blank=True, help_text="Numbers of the orders it says it implements (a memo)."
    )
    implements = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="implemented_by",
        help_text="The orders this document (an agency memo) implements.",
    )  # fmt: skip
    imported_at = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True, db_index=True)  # the data version (versions.py)

    class Meta:
        ordering = ["signed", "number"]

    def __str__(self):
        if self.number and self.title:
            return f"{self.short_name}: {self.title}"
        return self.short_name

    def get_absolute_url(self):
        return reverse("order_detail", args=[self.pk])

    @property
    def short_name(self):
        """ "EO 13768"; an unnumbered memo goes by the start of its title."""
        label = {"executive order": "EO", "memorandum": "Memo"}.get(self.kind, self.kind.title())
        if self.number:
            return f"{label} {self.number}"
        return f"{label}: {self.title[:40]}" if self.title else label

    def anchor_date(self, anchor):
        return {"order": self.signed, "effective": self.effective or self.signed}.get(anchor)


class ObligationQuerySet(models.QuerySet):
    def unresolved(self):
        """Obligations with an actor that names no agency of the table (for review)."""
        return self.exclude(unresolved_actors=[])


class Obligation(models.Model):
    class Review(models.TextChoices):
        DRAFT = "draft"
        CONFIRMED = "confirmed"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="obligations")
    key = models.CharField(
        max_length=40, help_text="Stable natural key within the order: re-imports match on it."
    )
    section = models.CharField(max_length=40)
    actors = models.JSONField(default=list, help_text="Full titles of the responsible officials.")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="obligations")
    unresolved_actors = models.JSONField(
        default=list, blank=True,
        help_text="Actors that name no agency of the table (obligations/agencies.py): kept as "
        "text, given no agency, listed for review rather than made into new agencies.",
    )  # fmt: skip
    action = models.CharField(max_length=300)
    quote = models.TextField(help_text="The verbatim clause of the order that creates it.")
    span_start = models.PositiveIntegerField()
    span_end = models.PositiveIntegerField()
    rule = models.JSONField(help_text="The timing rule (obligations.schedule.Rule).")
    conventions = models.JSONField(default=dict, help_text="How its dates are counted.")
    anchor_text = models.CharField(max_length=300, default="order")
    depends_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents",
        help_text="Counted from the completion of this other obligation.",
    )  # fmt: skip
    review_state = models.CharField(max_length=10, choices=Review, default=Review.CONFIRMED)
    # Versions (versions of the order's text, changesets.py): the version the quote and spans
    # point into; the key of the obligation as extracted, before a person's corrections (what a
    # new text is matched on); those corrections, kept across new texts.
    version = models.ForeignKey(
        "OrderVersion", null=True, blank=True, on_delete=models.RESTRICT, related_name="obligations",
        help_text="The text of the order its quote and offsets point into.",
    )  # fmt: skip
    source_key = models.CharField(max_length=40, blank=True, db_index=True)
    corrections = models.JSONField(
        default=dict, blank=True, help_text="What a person corrected at import (field: value)."
    )
    withdrawn_by = models.ForeignKey(
        "OrderVersion", null=True, blank=True, on_delete=models.RESTRICT, related_name="withdrawn",
        help_text="The version of the order's text it is no longer in (withdrawn: terminal).",
    )  # fmt: skip
    withdrawn_on = models.DateField(null=True, blank=True)
    cites = models.JSONField(
        default=list, blank=True,
        help_text="Sections of other orders it implements: [{'order': '13768', 'section': '8(a)'}].",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["order", "span_start"]
        constraints = [
            models.UniqueConstraint(fields=["order", "key"], name="obligation_unique_key")
        ]
        # The data version (versions.py) reads the latest change through this index.
        indexes = [models.Index(fields=["updated"], name="obligation_updated")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("obligation_detail", args=[self.pk])

    @property
    def title(self):
        """ "Sec. 15: progress report, 90 days": tells the order's obligations apart (titles.py)."""
        return titles.title(self.section, self.action, self.rule, self._subject())

    @property
    def label(self):
        """The title without its section: "progress report, 90 days"."""
        return titles.label(self.action, self.rule or {}, self._subject())

    def _subject(self):
        # The quote only where there is no action: pages that list many rows defer it.
        return "" if self.action else self.quote

    @staticmethod
    def make_key(section, quote, rule_dict):
        payload = json.dumps([section, " ".join(quote.split()), rule_dict], sort_keys=True)
        return hashlib.sha1(payload.encode()).hexdigest()[:16]

    @property
    def kind(self):
        return self.rule.get("kind", "open")

    def get_rule(self):
        return Rule.from_dict(self.rule)

    def get_conventions(self):
        return Conventions.from_dict({**settings.OBLIGATION_DEFAULTS, **self.conventions})

    def anchor_date(self):
        rule = self.get_rule()
        if rule.anchor in ("order", "effective"):
            return self.order.anchor_date(rule.anchor)
        if self.depends_on_id:
            return self.depends_on.completed_on()
        return None

    def completed_on(self):
        """When the first due date was met by every track: the last track's submission."""
        first = self.occurrences.filter(sequence=1)
        if not tracks.met(first.values_list("status", flat=True)):
            return None
        last = first.exclude(submitted_on=None).order_by("-submitted_on").first()
        return last.submitted_on if last else None

    def anchor_name(self):
        anchor = self.get_rule().anchor
        return {"order": "signed", "effective": "effective"}.get(anchor, anchor)

    def due_dates(self):
        rule, args = (
            self.get_rule(),
            (self.anchor_date(), self.get_conventions(), self.anchor_name()),
        )
        if rule.kind != "recurring":
            return due_dates(rule, *args)
        return series.follow(rule, *args, self.series_changes())

    def series_changes(self) -> list[dict]:
        """Suspensions, resumptions and new cadences of the series, oldest first (series.py)."""
        if not self.pk:  # not saved yet (an import working out its due dates): none
            return []
        rows = self.changes.filter(field="series").order_by("at", "id")
        return list(rows.values_list("new", flat=True))

    def explain(self, explanation):
        quote = self.quote if len(self.quote) <= 120 else self.quote[:117] + "..."
        return f"{explanation}; Sec. {self.section}: '{quote}'"


class OccurrenceQuerySet(models.QuerySet):
    """Status by dates, the same rule as Occurrence.state(): never stored."""

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic():
            made = super().bulk_create(objs, *args, **kwargs)
            OccurrenceCount.add_made(made)  # (not with ignore_conflicts: no caller uses it)
        return made

    def done(self):
        return self.exclude(status__in=Occurrence.PENDING)

    def pending(self):
        return self.filter(status__in=Occurrence.PENDING)

    def overdue(self, today):
        return self.pending().filter(due__lt=today)

    def due_within(self, days, today):
        return self.pending().filter(due__gte=today, due__lte=today + timedelta(days=days))

    def as_of(self, day):
        """Annotate `status_then`: the status on `day`, from the dates things happened (submitted
        on, verified on, closed on), not from when they were typed in. Days from today on show
        the current status, which also covers "in progress" (it has no date)."""
        if day >= clock.today():
            # Today (the default view) the status is what it is: a plain column the
            # (status, due) index serves, not an expression over every row.
            return self.annotate(status_then=models.F("status"))
        closed = [Occurrence.Status.WAIVED, Occurrence.Status.NOT_REQUIRED, Occurrence.Status.UNMET]
        current = models.Value("open")
        return self.annotate(
            status_then=models.Case(
                models.When(verified_on__lte=day, then=models.Value("verified")),
                models.When(submitted_on__lte=day, then=models.Value("submitted")),
                models.When(status__in=closed, closed_on__lte=day, then=models.F("status")),
                models.When(
                    status__in=[*closed, "submitted", "verified"], then=models.Value("open")
                ),
                default=current,
                output_field=models.CharField(),
            )
        )

    def pending_then(self):
        return self.filter(status_then__in=Occurrence.PENDING)


class Occurrence(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        IN_PROGRESS = "in_progress", "in progress"
        SUBMITTED = "submitted"
        VERIFIED = "verified", "verified (independently)"
        WAIVED = "waived"
        NOT_REQUIRED = "not_required", "not required"
        UNMET = "unmet"  # terminal: its order was revoked after the due date had passed

    PENDING = (Status.OPEN, Status.IN_PROGRESS)

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="occurrences")
    # One occurrence per responsible agency and due date: each agency's own track (status,
    # dates, evidence, history). Empty for a shared track (no agency, or a joint deliverable).
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences",
        help_text="The agency whose track this is; empty when the due date has one shared track.",
    )  # fmt: skip
    sequence = models.PositiveIntegerField(help_text="Position in the series; 1 for a deadline.")
    due = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    explanation = models.TextField(help_text="How the due date was computed, in one line.")
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN)
    submitted_on = models.DateField(null=True, blank=True, help_text="When the agency submitted.")
    published_on = models.DateField(null=True, blank=True)
    verified_on = models.DateField(null=True, blank=True, help_text="When it was checked.")
    closed_on = models.DateField(
        null=True, blank=True, help_text="When it was waived or found not required."
    )
    evidence_url = models.URLField(blank=True, max_length=500)
    verification_url = models.URLField(blank=True, max_length=500)
    authority = models.TextField(
        blank=True, help_text="What authorizes waiving it or finding it not required."
    )
    authority_url = models.URLField(blank=True, max_length=500)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text="+1 with every change applied to it (status, dates, due date)."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["due", "obligation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "agency", "sequence"], name="occurrence_unique_track",
                condition=models.Q(agency__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["obligation", "sequence"], name="occurrence_unique_shared",
                condition=models.Q(agency__isnull=True),
            ),
        ]  # fmt: skip
        permissions = [
            ("verify_occurrence", "Can record independent verification (never of its own agency)"),
            ("close_occurrence", "Can waive an occurrence or find it not required"),
        ]
        # The dashboard's overdue / due-soon lists filter on status and order by due date.
        indexes = [
            models.Index(fields=["status", "due"], name="occurrence_status_due"),
            # The home page's overdue and due-soon lists: pending rows in due order, read in
            # index order so LIMIT stops early however many are overdue.
            models.Index(
                fields=["due", "obligation"],
                name="occurrence_pending_due",
                condition=models.Q(status__in=["open", "in_progress"]),
            ),
            # "Completed in the last 30 days".
            models.Index(fields=["submitted_on"], name="occurrence_submitted_on"),
            models.Index(fields=["verified_on"], name="occurrence_verified_on"),
            # The list's next due date and "overdue" of each obligation: a seek per obligation.
            models.Index(fields=["obligation", "status", "due"], name="occurrence_obligation_due"),
            # The data version (versions.py): the latest change, read from the index's end.
            models.Index(fields=["updated_at"], name="occurrence_updated_at"),
        ]

    def __str__(self):
        return f"{self.obligation} due {self.due}"

    def save(self, *args, **kwargs):
        if not self._state.adding:  # a change is counted by the database (OccurrenceCount)
            return super().save(*args, **kwargs)
        with transaction.atomic():  # a new one is counted with it
            super().save(*args, **kwargs)
            OccurrenceCount.add_made([self])

    def get_absolute_url(self):
        return reverse("occurrence_detail", args=[self.pk])

    def state(self, today):
        if self.status not in self.PENDING:
            return "done"
        if self.due < today:
            return "overdue"
        return "due_soon" if self.due <= today + timedelta(days=DUE_SOON_DAYS) else "upcoming"

    # What a status change may set besides the status; each change is kept in the history.
    TRACKED = (
        "submitted_on", "published_on", "verified_on", "closed_on", "evidence_url",
        "verification_url", "authority", "authority_url", "notes",
    )  # fmt: skip
    # The date each status is reached on, which the "as of" views read; a status below it
    # clears the dates above (reopening a submitted report makes it not submitted).
    STATUS_DATES = {
        Status.SUBMITTED: ("submitted_on",),
        Status.VERIFIED: ("submitted_on", "verified_on"),
        Status.WAIVED: ("closed_on",),
        Status.NOT_REQUIRED: ("closed_on",),
        Status.UNMET: ("closed_on",),
    }

    def change_status(
        self,
        new,
        *,
        by=None,
        note="",
        expected_version=None,
        effect=None,
        obligation_change=None,
        **fields,
    ) -> bool:
        """Apply a status (and tracked fields) to the row as it is now, locked, and write its
        history row, in one transaction: concurrent changes are serialized, and each history
        row starts from the status the previous one left. With `expected_version`, a row that
        changed since that version raises Conflict and nothing is written. Returns whether
        anything changed (a change that changes nothing writes nothing)."""
        self.check_fields(fields)
        with transaction.atomic():
            # On PostgreSQL a row lock; SQLite's IMMEDIATE transactions hold the write lock.
            current = Occurrence.objects.select_for_update().get(pk=self.pk)
            if expected_version is not None and current.version != expected_version:
                raise Conflict(current, expected_version)
            fields = current._status_dates(new, fields)
            changes = {
                name: _jsonable(value)
                for name, value in fields.items()
                if getattr(current, name) != value
            }
            old = current.status
            if old == new and not changes and not note:
                self._copy_from(current)
                return False
            current.status = new
            for name, value in fields.items():
                setattr(current, name, value)
            current.version += 1
            current.updated_at = timezone.now()
            current.save(update_fields=["status", "version", "updated_at", *fields])
            change = StatusChange.objects.create(
                occurrence=current, by=by, from_status=old, to_status=new, note=note,
                changes=changes, version=current.version, effect=effect,
                obligation_change=obligation_change,
            )  # fmt: skip
            # Webhooks' deliveries are made with the change, in its transaction (webhooks.py).
            from obligations import webhooks  # it imports this module

            webhooks.status_changed(change, current)
        self._copy_from(current)
        return True

    @classmethod
    def check_fields(cls, fields):
        unknown = set(fields) - set(cls.TRACKED)
        if unknown:
            raise ValueError(f"not a tracked field: {', '.join(sorted(unknown))}")

    def _copy_from(self, other):
        for name in ("status", "version", "updated_at", *self.TRACKED):
            setattr(self, name, getattr(other, name))

    def _status_dates(self, new, fields):
        """Fill the date the new status is reached on (today unless given); clear the others."""
        kept = self.STATUS_DATES.get(new, ())
        fields = dict(fields)
        for name in ("submitted_on", "verified_on", "closed_on"):
            if name not in kept:
                fields[name] = None
            elif fields.get(name) is None and getattr(self, name) is None:
                fields[name] = clock.today()
        return fields


class Conflict(Exception):
    """The occurrence changed after the version a person's form was made from."""

    def __init__(self, current, expected_version):
        super().__init__(f"occurrence {current.pk} is at version {current.version}")
        self.current, self.expected_version = current, expected_version

    def changes_since(self):
        """The history rows written after the version the person saw, oldest first."""
        rows = self.current.history.filter(version__gt=self.expected_version)
        return rows.select_related("by").order_by("at", "id")


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("history is append-only")

    def delete(self):
        raise PermissionError("history is append-only")


class AppendOnly(models.Model):
    """A history row: written once, never edited or deleted (not even by the admin)."""

    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who changed it; empty for the system (imports, revocations).",
    )  # fmt: skip
    note = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("history is append-only")


class StatusChange(AppendOnly):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    changes = models.JSONField(default=dict, blank=True, help_text="Fields set with it.")
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The occurrence's version once this change was applied."
    )
    # What caused a change nobody made by hand on this occurrence (a bulk effect): undoing the
    # cause reopens exactly the occurrences it closed.
    obligation_change = models.ForeignKey(
        "ObligationChange", null=True, blank=True, on_delete=models.PROTECT, related_name="effects"
    )
    effect = models.ForeignKey(
        "OrderEffect", null=True, blank=True, on_delete=models.PROTECT, related_name="effects"
    )

    def __str__(self):
        return f"{self.from_status} -> {self.to_status} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def moved(self) -> bool:
        """Whether the status itself changed (else only dates, links or files were set)."""
        return self.from_status != self.to_status

    def details(self) -> list[tuple[str, str]]:
        """The fields set with it, by the names the form shows: [("Submitted on", "2017-04-20")]."""
        labels = {f.name: str(f.verbose_name).capitalize() for f in Occurrence._meta.fields}
        return [(labels.get(name, name.replace("_", " ").capitalize()), str(value or "—"))
                for name, value in (self.changes or {}).items()]  # fmt: skip


class ObligationChange(AppendOnly):
    """A change to how an obligation's dates are computed (its conventions)."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="changes")
    field = models.CharField(max_length=40)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    def __str__(self):
        return f"{self.field} changed at {self.at:%Y-%m-%d %H:%M}"

    def summary(self) -> str:
        """What changed, in words: "conventions: calendar days → weekends and ... roll forward"
        (only the parts that differ), "series suspended from 2017-03-01 (authority)"."""
        if self.field == "conventions" and self.old and self.new:
            recurring = self.obligation.kind == "recurring"
            old = Conventions.from_dict(self.old).describe(recurring).split("; ")
            new = Conventions.from_dict(self.new).describe(recurring).split("; ")
            gone = [part for part in old if part not in new]
            came = [part for part in new if part not in old]
            return f"conventions: {'; '.join(gone) or '—'} → {'; '.join(came) or '—'}"
        if self.field == "series" and self.new:
            new = self.new
            cadence = f", every {new['every']}" if new.get("every") else ""
            return (f"series {new.get('action', 'changed')} from {new.get('on', '?')}{cadence}"
                    f" ({new.get('authority', 'no authority given')})")  # fmt: skip
        return f"{self.field}: {self.old or '—'} → {self.new or '—'}"


class OrderVersion(models.Model):
    """One text of an order, kept for good: the first import, a corrected text, or the text as an
    amending order changed it. A new text waits (pending) until a permitted person applies its
    change list (changesets.py); then it is the order's current text."""

    class State(models.TextChoices):
        PENDING = "pending"
        APPLIED = "applied"
        REJECTED = "rejected"
        SUPERSEDED = "superseded", "superseded (a later text was applied)"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the first text, then 2, 3 ...")
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=500, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    extraction = models.JSONField(
        default=dict, blank=True, help_text="The obligations found in it, as corrected at import."
    )
    caused_by = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="amendments_made",
        help_text="The order whose amendment made this text.",
    )  # fmt: skip
    effective_on = models.DateField(
        null=True, blank=True, help_text="When its changes take effect (empty: from the start)."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_version_number")
        ]

    def __str__(self):
        return f"{self.order.short_name}, text {self.number} ({self.state})"

    def get_absolute_url(self):
        return reverse("version_detail", args=[self.pk])


class OrderEffect(models.Model):
    """What one order does to another (a revocation), proposed when the causing order is
    imported and applied only by a person allowed to change the affected obligations."""

    class Kind(models.TextChoices):
        REVOKE = "revoke"
        AMEND = "amend"  # sections struck, rewritten, added or revoked: a new text of the target

    class State(models.TextChoices):
        PENDING = "pending"
        APPLIED = "applied"
        REJECTED = "rejected"
        UNDONE = "undone"

    source = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="effects_caused")
    target = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="effects_received")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.REVOKE)
    on = models.DateField(null=True, blank=True, help_text="The date it takes effect.")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    instructions = models.JSONField(
        default=list, blank=True, help_text="An amendment's edits, as read from the source's text."
    )
    version = models.OneToOneField(
        OrderVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="effect",
        help_text="The target's text as the amendment makes it (amendments).",
    )  # fmt: skip

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="order_effect_once")
        ]

    def __str__(self):
        return f"{self.source.short_name} {self.kind}s {self.target.short_name} ({self.state})"


def evidence_path(instance, filename):
    # The digest names the file: nothing uploaded later can take an earlier file's place.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class Evidence(AppendOnly):
    """A document attached to an occurrence (a report, a verification, a cited authority).
    Never replaced or deleted once attached: a correction is a new file."""

    class Purpose(models.TextChoices):
        EVIDENCE = "evidence", "what the agency reported"
        VERIFICATION = "verification", "independent verification"
        AUTHORITY = "authority", "authority for a waiver"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="evidence")
    purpose = models.CharField(max_length=20, choices=Purpose, default=Purpose.EVIDENCE)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    public = models.BooleanField(default=False, help_text="May be shown on public pages.")

    class Meta(AppendOnly.Meta):
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.name} ({self.size:,} bytes, sha256 {self.sha256[:12]})"


class Feed(models.Model):
    """A calendar subscription: a named filter behind a secret URL. Only the token's SHA-256 is
    stored; the token itself is shown once, when it is made."""

    class Kind(models.TextChoices):
        ANY = "", "any kind"
        DEADLINE = "deadline"
        RECURRING = "recurring"
        IMMEDIATE = "immediate"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feeds"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, blank=True, choices=Kind, default=Kind.ANY)
    pending_only = models.BooleanField(
        default=False, help_text="Leave out what is submitted, verified, waived or not required."
    )
    mine = models.BooleanField(default=False, help_text="Only what my agency answers for.")
    alarms = models.BooleanField(
        default=False,
        help_text="Add alerts a day before (Google and Apple drop them from subscriptions).",
    )
    window_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(3650)],
        help_text="Only due dates from this many days ago on (empty: all of them).",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Written by the feed view with update(), never save(): `updated` is part of the ETag.
    fetched_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a calendar app last read it."
    )
    etag = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The ETag last served (feeds.py)."
    )
    changed_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Last-Modified: moved whenever the ETag served changes, so that a client "
        "asking If-Modified-Since never gets a 304 for content that changed.",
    )  # fmt: skip

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class RetiredFeedToken(models.Model):
    """The hash of a feed's former token, kept when a new URL is made: the old URL then answers
    with a calendar saying so (feeds.retired_calendar), which clears the subscriber's stale
    events, rather than a 404 that leaves them."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="retired_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    retired_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"former token of {self.feed}"


def default_lead_days():
    return [30, 7, 1]


class ReminderPreference(models.Model):
    """How a user wants to be reminded. A user without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    lead_days = models.JSONField(
        default=default_lead_days, help_text="Days before the due date, e.g. [30, 7, 1]."
    )
    on_due_day = models.BooleanField(default=True, help_text="A reminder on the due day itself.")
    overdue = models.BooleanField(default=True, help_text="Weekly while it is overdue.")
    agencies = models.ManyToManyField(
        Agency, blank=True, help_text="Only these agencies' obligations (none: all of mine)."
    )
    orders = models.ManyToManyField(Order, blank=True, help_text="Only these orders (none: all).")
    digest = models.BooleanField(
        default=True, help_text="One e-mail a day with everything, not one per due date."
    )
    paused = models.BooleanField(default=False, help_text="Send me nothing.")

    def __str__(self):
        return f"reminder preferences of {self.user}"


class Follow(models.Model):
    """A user who wants reminders about an obligation their agency does not answer for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="followers")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "obligation"], name="follow_unique")]

    def __str__(self):
        return f"{self.user} follows {self.obligation}"


class Reminder(models.Model):
    """One reminder e-mail to one person about one due date: the unit of exactly-once.

    pending -> claimed (by one worker, with a conditional update) -> sent, or back to pending
    with a later send_after (the server said "try later"), or failed (it said "never"), or
    cancelled (done meanwhile, or a later reminder replaced it). A claim older than the lease
    goes back to pending: the one window for a duplicate is a crash between the SMTP server's
    reply and the update that marks the row sent.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        CLAIMED = "claimed"
        SENT = "sent"
        FAILED = "failed"
        CANCELLED = "cancelled"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(
        max_length=20, help_text="lead-30, lead-7, due, overdue-1 (first week late), ..."
    )
    send_after = models.DateTimeField(
        help_text="Not before this time (the local hour, or a retry)."
    )
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True, help_text="Which run holds it.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user", "kind"], name="reminder_once_per_kind"
            )
        ]
        indexes = [
            # obligations.reminders.send_due scans pending rows whose time has come.
            models.Index(
                fields=["send_after"],
                name="reminder_pending_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["state", "claimed_at"], name="reminder_state_claimed"),
            # A person's due rows (each claim), a person's failed rows (the home page): sent
            # rows pile up, so these are read by a seek, not a scan of the person's history.
            models.Index(fields=["user", "state", "send_after"], name="reminder_user_state"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.user} about {self.occurrence_id} ({self.state})"


class DeletionCount(models.Model):
    """How many orders, obligations and agencies have been deleted. A deletion leaves no stamp
    behind to read, so it moves this instead; the data version reads it (versions.py). One
    row, id 1."""

    count = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.count} deletions"


class OccurrenceCount(models.Model):
    """How many occurrences have each status and due date: the home page's counts per status
    and overdue total, read from a few thousand rows instead of every occurrence. Triggers in
    the database move it on every deletion and change of status or due date of an occurrence,
    whatever path makes it (the ORM, updates, cascades, the admin; migration 0015); the code
    that makes occurrences counts them (Occurrence.save, bulk_create, insert_occurrences)."""

    status = models.CharField(max_length=20)
    due = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "due"], name="occurrence_count_key")
        ]

    def __str__(self):
        return f"{self.n} {self.status} due {self.due}"

    BUMP = (
        "INSERT INTO obligations_occurrencecount (status, due, n) VALUES (%s, %s, %s) "
        "ON CONFLICT (status, due) DO UPDATE SET n = obligations_occurrencecount.n + excluded.n"
    )

    @classmethod
    def add(cls, counts):
        """Count new occurrences: `counts` maps (status, due as the database takes it) to how
        many. In one order (by status and due), so that two transactions never each hold a row
        the other waits for (PostgreSQL)."""
        with connection.cursor() as cursor:
            cursor.executemany(cls.BUMP, [(*key, n) for key, n in sorted(counts.items()) if n])

    @classmethod
    def add_made(cls, occurrences):
        """Count occurrences just made through the ORM (save, bulk_create)."""
        prep = Occurrence._meta.get_field("due").get_db_prep_save
        cls.add(Counter((o.status, prep(o.due, connection)) for o in occurrences))


class ApiToken(models.Model):
    """A person's token for the JSON API (obligations/api/): it acts as that person, with their
    agency's rights as they are at each request. Only the token's SHA-256 is stored; the token
    is shown once, when it is made, and its first characters (`prefix`) tell it apart later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the person uses it for.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="Its first characters.")
    created = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Kept to the minute, not per request."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


def new_webhook_secret() -> str:
    """256 bits from `secrets`: the key each delivery is signed with (obligations/webhooks.py)."""
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An address that hears of status changes: every change of an agency's tracks (and its
    components' when parents act for components), or of an order's, or both at once (both must
    match), or with neither every change. Deliveries are signed with `secret`, which the receiver
    keeps too: it is stored as it is (a signature needs the key itself, not a hash of it) and
    shown to admins only. obligations/webhooks.py says what is sent; docs/webhooks.md how to
    check it."""

    url = models.URLField(
        max_length=500,
        help_text="Where to POST. https, unless the host is this machine (127.0.0.1, localhost) "
        "or WEBHOOK_ALLOW_HTTP is set; never an address that is link-local (169.254.x.x).",
    )
    secret = models.CharField(
        max_length=100, default=new_webhook_secret, editable=False,
        help_text="Give this to the receiver: it checks each delivery's signature with it.",
    )  # fmt: skip
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks",
        help_text="Only this agency's tracks (and its components' when departments act for them).",
    )  # fmt: skip
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks",
        help_text="Only this order's tracks.",
    )  # fmt: skip
    active = models.BooleanField(
        default=True, help_text="Off: nothing new is made for it, and what waits is not sent."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "id"]

    def __str__(self):
        scope = " and ".join(str(x) for x in (self.agency, self.order) if x) or "every change"
        return f"{self.url} ({scope})"

    def clean(self):
        from obligations.webhooks import check_url  # it reads these models

        check_url(self.url)


class WebhookDelivery(models.Model):
    """One event to one webhook, and what became of sending it: the delivery log.

    Made in the transaction of the change it tells of (so a rolled-back change sends nothing and
    a committed one is never lost); sent by obligations/webhooks.py's runs: due while
    next_attempt_at is set and has come; delivered when a 2xx came back (delivered_at); given up
    after WEBHOOK_MAX_ATTEMPTS (neither). At least once: a receiver drops a delivery id it has
    already seen."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="X-Tracker-Delivery."
    )
    event = models.CharField(max_length=50, help_text="occurrence.status_changed, ping")
    status_change = models.ForeignKey(
        StatusChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The change it tells of.",
    )  # fmt: skip
    payload = models.JSONField(help_text="The body sent: public fields only, never notes.")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When it is (next) due; empty once delivered or given up. While a run sends "
        "it, the end of that run's lease.",
    )  # fmt: skip
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created", "-id"]
        indexes = [
            # obligations.webhooks.claim: the due rows, earliest first.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.event} {self.delivery_id} ({self.state})"

    @property
    def state(self) -> str:
        if self.next_attempt_at is not None:
            return "pending"
        return "delivered" if self.delivered_at else "failed"
