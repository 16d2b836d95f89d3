from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead import http_cache
        from masthead.newsroom import checks, signals  # noqa: F401 (checks register themselves)

        signals.connect()
        http_cache.connect()
