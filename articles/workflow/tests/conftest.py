import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def member(name, group):
    user = get_user_model().objects.create_user(username=name, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return member("rita", "Reporters")


@pytest.fixture
def editor(db):
    return member("eddie", "Editors")


@pytest.fixture
def lawyer(db):
    return member("laura", "Legal")
