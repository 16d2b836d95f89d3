"""The article editor's view of its narration: status, length, a player or the reason it failed, Regenerate."""

from wagtail.admin.panels import Panel


class NarrationPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "narration/admin/panel.html"

        def get_context_data(self, parent_context=None):
            from masthead.narration.models import Narration

            context = super().get_context_data(parent_context)
            pk = getattr(self.instance, "pk", None)
            context["narration"] = Narration.objects.filter(article_id=pk).first() if pk else None
            return context
