"""Stale saves of tags and photos are refused, not applied.

The form carries the version it was opened at, and the save claims the
next one through the unit of work (articles.history.changes), by the same
rule as an article's: one UPDATE ... WHERE version = that one. What
differs is what follows a stale claim: an article has recorded versions to
tell which parts each side changed, and keeps both when they differ; a tag
or a photo has none, so nothing is written and the editor sees the stored
values next to theirs, to keep or to copy.
"""

from django import forms
from django.template.response import TemplateResponse

from articles.history.changes import content_change


class StaleSave(Exception):
    def __init__(self, current, submitted):
        super().__init__(f"{current._meta.label} {current.pk} changed since the form was opened")
        self.current = current
        self.submitted = submitted


class VersionedForm(forms.ModelForm):
    """A model form that says which version of the row it was opened at."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("base_version") is None:
            raise forms.ValidationError("This form does not say which version it was opened at; reload it.")
        return cleaned


class VersionedAdminMixin:
    """For a ModelAdmin whose model has a `version` field (list "base_version" in `fields` if it sets them)."""

    form = VersionedForm

    def save_model(self, request, obj, form, change):
        if change and not request.content_change.claim(obj, expected=form.cleaned_data["base_version"]):
            raise StaleSave(type(obj).objects.get(pk=obj.pk), form.cleaned_data)
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            # The row, its inlines (a tag's aliases) and the version: one unit of work, one notice.
            with content_change(user=request.user) as change:
                request.content_change = change
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleSave as stale:  # raised inside the admin's transaction: nothing was written
            rows = []
            for name, value in stale.submitted.items():
                if name == "base_version" or not hasattr(stale.current, name):
                    continue
                theirs = getattr(stale.current, name)
                rows.append({"label": stale.current._meta.get_field(name).verbose_name.capitalize(),
                             "theirs": "" if theirs is None else str(theirs), "mine": "" if value is None else str(value),
                             "changed": str(theirs or "") != str(value or "")})
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": stale.current,
                       "title": f"Someone else saved this {self.model._meta.verbose_name}", "rows": rows}
            return TemplateResponse(request, "admin/versioned_conflict.html", context, status=409)
