"""The admin finds what editors look for, on both databases: an author by any part of the name; and the admin
asks no third party for avatars."""

import pytest
from bs4 import BeautifulSoup

from masthead.newsroom.tests.factories import AuthorFactory


@pytest.fixture
def editor(client, make_user):
    client.force_login(make_user("editor", "Editors", email="editor@example.org"))
    return client


def names(page) -> list[str]:
    rows = BeautifulSoup(page.content, "html.parser").select("table.listing tbody tr")
    return [row.get_text(" ", strip=True) for row in rows]


def test_authors_are_found_by_first_name_surname_or_role(editor):
    AuthorFactory(name="Olena Kovalenko", role="Reporter")
    AuthorFactory(name="Tim Zadorozhnyy", role="Staff writer")
    for query, expected in [("Olena", "Olena"), ("kovalenko", "Olena"), ("Zador", "Tim"), ("staff writer", "Tim")]:
        page = editor.get("/admin/snippets/newsroom/author/", {"q": query})
        assert page.status_code == 200
        found = names(page)
        assert len(found) == 1 and expected in found[0], (query, found)


@pytest.mark.parametrize(
    "query", ["'; DROP TABLE newsroom_author; --", "<script>", '"open quote', "%_%", "ї" * 300, "*"]
)
def test_a_hostile_author_search_answers(editor, query):
    AuthorFactory(name="Olena Kovalenko")
    page = editor.get("/admin/snippets/newsroom/author/", {"q": query})
    assert page.status_code == 200 and b"<script>" not in page.content


def test_the_admin_asks_no_one_for_avatars(editor):
    page = editor.get("/admin/")
    assert page.status_code == 200 and b"gravatar" not in page.content.lower()
