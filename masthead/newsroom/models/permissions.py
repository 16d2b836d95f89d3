"""What a reporter may do to articles and the archive's folders, beyond Wagtail's rules.

Reporters hold `add_page` and `change_page` on the article archive only (`services.reporters_grant`), so they
cannot touch the front page, sections or other pages. Wagtail would still let whoever may edit a page that is
not live delete or move it, with its whole history; here that takes the publish permission, except a
reporter's own draft that was never published.
"""

from wagtail.models import PagePermissionTester


class ArticlePermissionTester(PagePermissionTester):
    def _publishes(self) -> bool:
        return self.user.is_superuser or "publish" in getattr(self, "permissions", set())

    def can_delete(self, ignore_bulk=False):
        if not super().can_delete(ignore_bulk=ignore_bulk):
            return False
        if self._publishes():
            return True
        page = self.page
        return page.owner_id == self.user.pk and not page.live and page.first_published_at is None

    def can_move(self):
        return self._publishes() and super().can_move()


class FolderPermissionTester(ArticlePermissionTester):
    """The archive and its year folders: only those who publish rename, move or delete them."""

    def can_edit(self):
        return self._publishes() and super().can_edit()

    def can_delete(self, ignore_bulk=False):
        return self._publishes() and super().can_delete(ignore_bulk=ignore_bulk)
