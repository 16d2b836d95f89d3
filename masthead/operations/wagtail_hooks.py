"""The task queue on the admin's dashboard, for administrators: what waits, how long, what failed."""

from wagtail import hooks
from wagtail.admin.ui.components import Component


class TaskQueuePanel(Component):
    name = "task_queue"
    order = 300
    template_name = "operations/admin/task_queue_panel.html"

    def get_context_data(self, parent_context):
        from masthead.operations.health import queue_figures

        return {"queue": queue_figures()}


@hooks.register("construct_homepage_panels")
def add_task_queue_panel(request, panels):
    if request.user.is_superuser:
        panels.append(TaskQueuePanel())
