"""Give each responsible agency its own track: an occurrence shared by several agencies is
kept for the first and copied, with its status and dates, for each of the others."""

from django.db import migrations

from obligations.tracks import track_agencies

COPIED = [
    "sequence", "due", "period_start", "period_end", "explanation", "status", "submitted_on",
    "published_on", "verified_on", "closed_on", "evidence_url", "verification_url", "notes",
]  # fmt: skip


def split(apps, schema_editor):
    Obligation = apps.get_model("obligations", "Obligation")
    Occurrence = apps.get_model("obligations", "Occurrence")
    StatusChange = apps.get_model("obligations", "StatusChange")
    for obligation in Obligation.objects.prefetch_related("agencies").iterator(chunk_size=500):
        first, *others = track_agencies(
            sorted(obligation.agencies.all(), key=lambda a: a.pk), obligation.quote
        )
        shared = Occurrence.objects.filter(obligation=obligation, agency=None)
        if first is None:
            continue
        for occurrence in list(shared):
            for agency in others:
                copy = Occurrence.objects.create(
                    obligation=obligation, agency=agency,
                    **{name: getattr(occurrence, name) for name in COPIED},
                )  # fmt: skip
                StatusChange.objects.create(
                    occurrence=copy, from_status="open", to_status=copy.status, version=0,
                    note=f"Track of {agency.name}, made from the occurrence shared by every "
                    f"responsible agency (#{occurrence.pk}); its status and dates carried over.",
                )  # fmt: skip
        shared.update(agency=first)


class Migration(migrations.Migration):
    dependencies = [("obligations", "0009_tracks_roles_effects_evidence")]

    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
