"""What every page's layout needs: the site's name and its menus. Nothing about the visitor."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from masthead.newsroom import serving


def newsroom(request):
    site = serving.site_for_request(request)
    if site is not None:
        # The page's Last-Modified (masthead.http_cache): the settings row is one the layout reads anyway.
        request.content_changed_at = serving.newsroom_settings_for_request(request, site).content_changed_at()

    def menus():
        from masthead.newsroom import selectors
        from masthead.newsroom.models import NewsroomSettings

        if site is None:
            return {"primary": [], "footer": [], "news_feed": ""}
        return selectors.site_menus(newsroom_settings=NewsroomSettings.for_request(request), request=request)

    return {
        "site_name": (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME,
        "menus": SimpleLazyObject(menus),  # resolved only by templates that show them (not the admin's)
    }
