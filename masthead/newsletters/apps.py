from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.newsletters import signals

        signals.connect()
