from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "obligations"
    verbose_name = "Obligations"

    def ready(self):
        from obligations.versions import watch_deletions

        watch_deletions()
