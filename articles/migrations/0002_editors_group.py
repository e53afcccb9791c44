"""Create the Editors group with the permissions the editorial desk needs."""

from django.db import migrations

from articles.migrations import _permissions

GRANTS = {
    "articles": {
        "article": ["add", "change", "delete", "view"],
        "articleimage": ["add", "change", "delete", "view"],
        "taggedarticle": ["add", "change", "delete", "view"],
        "tag": ["add", "change", "delete", "view"],
        "importrun": ["view"],
    },
    "media": {
        "image": ["add", "change", "delete", "view"],
    },
}


def grant(apps, schema_editor):
    _permissions.grant(apps, "Editors", GRANTS)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, remove)]
