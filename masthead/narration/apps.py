from django.apps import AppConfig


class NarrationConfig(AppConfig):
    name = "masthead.narration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.narration import signals

        signals.connect()
