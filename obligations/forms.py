"""Forms of the dashboard. Each one validates everything it is given: bad input gets a message
and changes nothing."""

from django import forms

from obligations import clock, feeds, permissions
from obligations.extraction import MAX_CHARS, MAX_OBLIGATIONS
from obligations.extraction.source import normalize_newlines
from obligations.models import Feed, Occurrence, Order, ReminderPreference
from obligations.schedule import WEEKDAYS, out_of_range
from obligations.tracking import check_progress

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class TrackedDateField(forms.DateField):
    """A date the tracker handles (1789-01-01 .. today + 50 years, schedule.out_of_range):
    9999-12-31 as a series' end or a signing date would run the due dates off the calendar."""

    def validate(self, value):
        super().validate(value)
        reason = out_of_range(value, clock.today()) if value else ""
        if reason:
            raise forms.ValidationError(f"{reason[0].upper()}{reason[1:]}.", code="out_of_range")


class IdsField(forms.ModelMultipleChoiceField):
    """Rows chosen by id; an id no 64-bit key can hold is an invalid choice, not an
    OverflowError from SQLite (Django guards exact lookups, not `__in`)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            digits = str(pk).strip().lstrip("-")
            if digits.isascii() and digits.isdigit() and int(digits) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": str(pk)[:20]},
                )  # fmt: skip
        return super()._check_values(value)


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, widget=DATE_INPUT, label="As of")


class ProgressForm(forms.ModelForm):
    """A status change on one track with its dates, links and a note for the history. It
    offers only the moves and fields the person's duties allow (obligations.permissions) and
    carries the version it was made from, so a change made meanwhile is never overwritten."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    verification_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    authority_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Occurrence
        fields = [
            "status", "submitted_on", "published_on", "evidence_url", "verified_on",
            "verification_url", "closed_on", "authority", "authority_url",
        ]  # fmt: skip
        widgets = {
            "submitted_on": DATE_INPUT, "published_on": DATE_INPUT, "verified_on": DATE_INPUT,
            "closed_on": DATE_INPUT, "authority": forms.Textarea(attrs={"rows": 2}),
        }  # fmt: skip
        labels = {"closed_on": "Waived / found not required on", "authority": "Authority cited"}

    def __init__(self, *args, duties=frozenset(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        current = self.instance.status
        self.initial.setdefault("version", self.instance.version)
        allowed = permissions.allowed_statuses(duties, current)
        self.fields["status"].choices = [c for c in Occurrence.Status.choices if c[0] in allowed]
        editable = permissions.editable_fields(duties)
        for name in self.tracked_names():
            if name not in editable:
                self.fields[name].disabled = True  # the posted value is ignored

    def clean(self):
        data = super().clean()
        if "status" not in data:
            return data
        try:
            check_progress(self.instance, data["status"], self.tracked_fields(), self.today)
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

    @classmethod
    def tracked_names(cls):
        return [name for name in cls.Meta.fields if name != "status"]

    def tracked_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.tracked_names()}


class ConventionsForm(forms.Form):
    day_count = forms.ChoiceField(
        choices=[("calendar", "calendar days"), ("roll", "roll weekends and holidays forward")]
    )
    periods = forms.ChoiceField(
        choices=[("anchor", "from the anchor"), ("calendar", "calendar"), ("fiscal", "fiscal")]
    )
    weekday = forms.TypedChoiceField(
        choices=[("", "as the series falls")] + list(enumerate(WEEKDAYS)),
        coerce=int, empty_value=None, required=False,
    )  # fmt: skip
    end = TrackedDateField(required=False, widget=DATE_INPUT, label="Series ends")
    horizon_years = forms.IntegerField(min_value=1, max_value=50)
    note = forms.CharField(required=False, label="Why (kept in the history)")


class SeriesForm(forms.Form):
    """Suspend, resume or change the cadence of a series from a date, citing the authority."""

    def __init__(self, *args, **kwargs):
        # Its fields share names with ConventionsForm's on the same page: ids of their own.
        kwargs.setdefault("auto_id", "series-%s")
        super().__init__(*args, **kwargs)

    action = forms.ChoiceField(choices=[
        ("suspend", "suspend the series"), ("resume", "resume the series"),
        ("cadence", "change the cadence"),
    ])  # fmt: skip
    on = TrackedDateField(widget=DATE_INPUT, label="From")
    every = forms.CharField(
        required=False, max_length=20, label="New cadence",
        help_text="For a new cadence: week, month, quarter, year, or e.g. 2 weeks.",
    )  # fmt: skip
    authority = forms.CharField(
        max_length=1000, label="Authority", help_text="The document or statement that decided it."
    )
    authority_url = forms.URLField(
        required=False, max_length=500, label="Link to it", assume_scheme="https"
    )
    note = forms.CharField(required=False, max_length=1000, label="Why (kept in the history)")


class ImportForm(forms.Form):
    """Upload a file or paste the text of an order."""

    file = forms.FileField(required=False, help_text="Plain text, Federal Register XML or HTML.")
    # Not stripped: a file keeps its last line end, and the confirmation must match the preview.
    text = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}))
    signed = TrackedDateField(
        required=False, widget=DATE_INPUT, help_text="Only if the text does not say it."
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    f"The file is too large ({upload.size:,} bytes); at most "
                    f"{MAX_UPLOAD_BYTES:,} bytes."
                )
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        # A browser sends a textarea back with CRLF line ends: the same text must give the same
        # digest in the preview and in the confirmation, whatever the file had.
        data["text"] = normalize_newlines(data.get("text") or "")
        if not data["text"].strip():
            raise forms.ValidationError("Upload a file or paste the text of an order.")
        if len(data["text"]) > MAX_CHARS:
            raise forms.ValidationError(f"The text is too long (at most {MAX_CHARS:,} characters).")
        return data


class DraftForm(forms.Form):
    """One extracted obligation in the import preview, to keep or correct."""

    keep = forms.BooleanField(required=False, initial=True)
    section = forms.CharField(max_length=40)
    actors = forms.CharField(max_length=500, required=False, help_text="Separated by ';'.")
    action = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    due = TrackedDateField(required=False, widget=DATE_INPUT, help_text="Override the due date.")


DraftFormSet = forms.formset_factory(DraftForm, extra=0, max_num=MAX_OBLIGATIONS, validate_max=True)


class FeedForm(forms.ModelForm):
    class Meta:
        model = Feed
        fields = ["name", "order", "agency", "kind", "window_days"]
        fields += ["pending_only", "mine", "alarms"]
        labels = {
            "pending_only": "Only what is still open", "mine": "Only my agency's",
            "window_days": "From how many days ago",
        }  # fmt: skip

    def clean_name(self):
        name = self.cleaned_data["name"]
        if feeds.control_characters(name):
            raise forms.ValidationError(
                "A name is one line of text: no line breaks, tabs or other control characters."
            )
        return name


class ReminderPreferenceForm(forms.ModelForm):
    lead_days = forms.CharField(
        label="Days before the due date", help_text="Comma-separated, e.g. 30, 7, 1 (1 to 90)."
    )

    class Meta:
        model = ReminderPreference
        fields = ["lead_days", "on_due_day", "overdue", "digest", "agencies", "orders", "paused"]
        labels = {
            "on_due_day": "On the due day", "overdue": "Weekly while overdue",
            "digest": "One daily digest (not one e-mail per due date)", "paused": "Pause all",
        }  # fmt: skip
        field_classes = {"agencies": IdsField, "orders": IdsField}
        widgets = {"agencies": forms.SelectMultiple(attrs={"size": 6}),
                   "orders": forms.SelectMultiple(attrs={"size": 6})}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["lead_days"] = ", ".join(map(str, self.instance.lead_days))
        self.fields["orders"].queryset = Order.objects.defer("text")

    def clean_lead_days(self):
        raw = self.cleaned_data["lead_days"]
        try:
            days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError("Give whole numbers of days, e.g. 30, 7, 1.") from None
        if not days or len(days) > 6 or not all(1 <= d <= 90 for d in days):
            raise forms.ValidationError("Give one to six numbers between 1 and 90.")
        return sorted(days, reverse=True)
