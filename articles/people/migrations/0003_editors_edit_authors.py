"""Editors add and correct authors, and set who wrote an article."""

from django.db import migrations

from articles.migrations import _permissions

GRANTS = {
    "people": {
        "author": ["add", "change", "view"],
        "authoralias": ["add", "change", "delete", "view"],
        "articleauthor": ["add", "change", "delete", "view"],
    },
}


def grant(apps, schema_editor):
    _permissions.grant(apps, "Editors", GRANTS)


def revoke(apps, schema_editor):
    _permissions.revoke(apps, "Editors", GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_editors_group"),
        ("people", "0002_bylines_to_authors"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
