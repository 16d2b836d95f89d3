from django.db.models.signals import post_save

from masthead.discovery.models import DiscoverySettings


def _settings_saved(sender, instance, created=False, **kwargs):
    if created:  # made with the defaults the first time a page asks for them: nothing shown changes
        return
    # The feeds' length and content, the language in every page's data: pages and articles' heads are made again.
    from masthead.newsroom import services

    services.pages_changed()
    services.layout_changed()


def connect():
    post_save.connect(_settings_saved, sender=DiscoverySettings, dispatch_uid="discovery-settings-saved")
