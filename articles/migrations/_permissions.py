"""Group permissions granted by data migrations.

Permissions are normally created after all migrations have run; these
helpers make sure they exist first, so a fresh database gets a complete
Editors group.
"""

from django.contrib.auth.management import create_permissions


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps, grants):
    """Permissions named by {app_label: {model: [action or full codename]}}."""
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, models in grants.items():
        for model, actions in models.items():
            codenames = [a if "_" in a else f"{a}_{model}" for a in actions]
            found += Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename__in=codenames
            )
    return found


def grant(apps, group_name, grants):
    _ensure_permissions(apps)
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
    group.permissions.add(*_permissions(apps, grants))


def revoke(apps, group_name, grants):
    group = apps.get_model("auth", "Group").objects.filter(name=group_name).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, grants))
