"""Fixtures shared by every app's tests."""

import pytest
from django.contrib.auth.models import Group

from masthead.newsroom.services import site_structure_ensure


@pytest.fixture
def home(db):
    """The site's home page, article archive and review workflow, as `masthead setup` makes them."""
    return site_structure_ensure(site_name="Test Newsroom", hostname="testserver")


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *groups: str, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make
