from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "masthead.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self):
        from masthead.operations.errors import sentry_start
        from masthead.security import wagtail_chooser_scripts_with_nonce

        wagtail_chooser_scripts_with_nonce()
        sentry_start()
