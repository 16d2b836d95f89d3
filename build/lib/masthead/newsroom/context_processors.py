"""What every page's layout needs: the site's name. Nothing about the visitor."""

from django.conf import settings
from wagtail.models import Site


def newsroom(request):
    site = Site.find_for_request(request)
    return {"site_name": (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME}
