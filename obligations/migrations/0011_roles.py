"""The roles beside agency staff, as groups an admin puts people in: verifiers (an inspector
general, OMB, an outside monitor) and waiver officials."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {"Verifiers": "verify_occurrence", "Waiver officials": "close_occurrence"}


def make_roles(apps, schema_editor):
    # Permissions are made after migrations run; these groups need them now. The historical
    # app config has no models module, which create_permissions checks for.
    config = apps.get_app_config("obligations")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codename in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(Permission.objects.get(codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("obligations", "0010_split_tracks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_roles, migrations.RunPython.noop)]
