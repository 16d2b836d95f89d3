from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "masthead.analytics"
    label = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from masthead.analytics.models import AnalyticsSettings

        post_save.connect(_settings_saved, sender=AnalyticsSettings, dispatch_uid="analytics-settings-saved")


def _settings_saved(sender, created=False, **kwargs):
    # The settings are kept in the shared cache with the site's others (newsroom/serving.py): drop them (a new
    # row replaces nothing kept).
    if created:
        return
    from masthead.newsroom import serving

    serving.serving_cache_expire()
