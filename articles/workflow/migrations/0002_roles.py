"""The four roles as groups: Reporters, Editors, Legal, Administrators (README, "Roles and review").

Editors keep everything they had and gain publishing and review, so the
editors of before this change go on publishing as they did.
"""

from django.db import migrations

from articles.migrations import _permissions

WRITING = {
    "articles": {
        "article": ["add", "change", "view"],
        "articleimage": ["add", "change", "delete", "view"],
        "taggedarticle": ["add", "change", "delete", "view"],
        "tag": ["add", "view"],
    },
    "media": {"image": ["add", "change", "view"]},
}

ROLES = {
    "Reporters": WRITING,
    "Editors": {"workflow": {"articlereview": ["publish_article", "review_article"]}},
    "Legal": {
        "articles": {"article": ["view"], "articleimage": ["view"], "tag": ["view"]},
        "media": {"image": ["view"]},
        "workflow": {"articlereview": ["sign_off_legal"]},
    },
    "Administrators": {
        "auth": {"user": ["add", "change", "delete", "view"], "group": ["add", "change", "delete", "view"],
                 "permission": ["view"]},
    },
}


def grant(apps, schema_editor):
    for group, grants in ROLES.items():
        _permissions.grant(apps, group, grants)


def revoke(apps, schema_editor):
    _permissions.revoke(apps, "Editors", ROLES["Editors"])
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporters", "Legal", "Administrators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("articles", "0004_editors_can_merge"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
