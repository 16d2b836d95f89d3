from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
    verbose_name = "Comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from masthead.comments.models import CommentSettings

        post_save.connect(_settings_saved, sender=CommentSettings, dispatch_uid="comments-settings-saved")


def _settings_saved(sender, **kwargs):
    # The settings are kept in the shared cache with the site's others (newsroom/serving.py): drop them.
    from masthead.newsroom import serving

    serving.serving_cache_expire()
