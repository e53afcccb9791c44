"""The list action "merge the selected … into one", shared by the tag and author lists."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.duplicates.merging import MergeError
from articles.history.changes import content_change


def merge_chosen(modeladmin, request, items, *, merge, noun, action, template, explanation):
    """Ask which of `items` to keep, then merge every other one into it with `merge`: all of them or none.

    `items` come most used first, the one offered to keep; the confirmation
    page gets them as `<noun>s`.
    """
    if len(items) < 2:
        modeladmin.message_user(request, f"Choose at least two {noun}s to merge.", messages.WARNING)
        return None
    by_id = {item.pk: item for item in items}
    try:
        survivor_id = int(request.POST.get("survivor", ""))
    except ValueError:
        survivor_id = None
    opts = modeladmin.model._meta
    if request.POST.get("confirm") != "yes" or survivor_id not in by_id:
        return TemplateResponse(request, template, {
            **modeladmin.admin_site.each_context(request), "opts": opts, "title": f"Merge {noun}s",
            f"{noun}s": items, "selected": list(by_id), "action": action,
            "back_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "confirm_label": "Yes, merge them", "explanation": explanation,
        })
    survivor = by_id[survivor_id]
    merged = [item for item in items if item.pk != survivor.pk]
    try:
        with content_change(user=request.user):  # one notice for them all
            for item in merged:
                merge(survivor_id=survivor.pk, merged_id=item.pk, user=request.user,
                      reason=f"merged from the {noun} list")
    except MergeError as error:
        modeladmin.message_user(request, f"{error} Nothing was merged.", messages.ERROR)
        return None
    # Names come isolated (<bdi>): right-to-left text cannot reorder the sentence.
    modeladmin.message_user(request, format_html(
        "Merged {} into #{} “<bdi>{}</bdi>”; their names are now aliases.",
        format_html_join(", ", "#{} “<bdi>{}</bdi>”", ((item.pk, item.name) for item in merged)), survivor.pk,
        survivor.name,
    ), messages.SUCCESS)
    return None
