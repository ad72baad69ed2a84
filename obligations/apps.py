from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "obligations"
    verbose_name = "Obligations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from obligations.versions import watch_deletions

        watch_deletions()
        user_logged_out.connect(say_signed_out, dispatch_uid="obligations.say_signed_out")


def say_signed_out(sender, request, user, **kwargs):
    """Signing out says it did (the session is gone; the message travels in a cookie)."""
    from django.contrib import messages

    if request is not None and user is not None:
        messages.info(request, f"You are signed out, {user.get_username()}.", fail_silently=True)
