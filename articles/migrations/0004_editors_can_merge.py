"""Let the Editors group review duplicates, merge them and manage tag aliases."""

from django.db import migrations

from articles.migrations import _permissions

GRANTS = {
    "articles": {
        "duplicatecandidate": ["view", "change", "merge_duplicates"],
        "tagalias": ["add", "change", "delete", "view"],
    },
}


def grant(apps, schema_editor):
    _permissions.grant(apps, "Editors", GRANTS)


def revoke(apps, schema_editor):
    _permissions.revoke(apps, "Editors", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_duplicates_and_merging")]

    operations = [migrations.RunPython(grant, revoke)]
