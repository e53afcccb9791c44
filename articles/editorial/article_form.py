"""The article form: the version it was loaded at, plain-text body, publishing buttons."""

from django import forms
from django.conf import settings
from django.utils import timezone

from articles.editorial.versioned import VersionedForm
from articles.history.snapshots import FIELDS, normalized_body
from articles.models import Article, ArticleImage, Tag, TaggedArticle

PUBLISH, SCHEDULE, UNPUBLISH = "_publish", "_schedule", "_unpublish"


class BodyField(forms.CharField):
    """A textarea sends CRLF; the body keeps LF, so an untouched body is not "changed"."""

    def to_python(self, value):
        return normalized_body(super().to_python(value))


class ArticleForm(VersionedForm):
    class Meta:
        model = Article
        fields = "__all__"
        field_classes = {"body": BodyField}
        error_messages = {
            "title": {"max_length": "The headline is %(show_value)d characters; the limit is %(limit_value)d."},
            "slug": {"invalid": "The address may hold letters (of any script), digits, hyphens and underscores: "
                                "no spaces, slashes or other signs."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            # A browser silently cuts a pasted headline at maxlength; the server says so instead.
            self.fields["title"].widget.attrs.pop("maxlength", None)
        if "published_at" in self.fields:
            field = self.fields["published_at"]
            field.help_text = f"{field.help_text} Times are in {settings.TIME_ZONE}."
            # The split widget's two inputs share one visible label; screen readers need one each.
            for widget, label in zip(getattr(field.widget, "widgets", ()), ("Publication date", "Publication time")):
                widget.attrs["aria-label"] = label

    def clean(self):
        cleaned = super().clean()
        # The publishing buttons decide the status; the date follows from them.
        if PUBLISH in self.data:
            cleaned["status"] = Article.Status.PUBLISHED
            cleaned["published_at"] = timezone.now()
        elif SCHEDULE in self.data:
            when = cleaned.get("published_at")
            if when is None or when <= timezone.now():
                self.add_error("published_at", f"To schedule, choose a date and time in the future "
                                                f"({settings.TIME_ZONE}).")
            cleaned["status"] = Article.Status.PUBLISHED
        elif UNPUBLISH in self.data:
            cleaned["status"] = Article.Status.DRAFT
        if (cleaned.get("status") == Article.Status.PUBLISHED and "body" in cleaned
                and not cleaned["body"].strip()):
            self.add_error("body", "An article needs a body before it can be published or scheduled. "
                                   "Write the body, or save it as a draft.")
        return cleaned

    def publishing_action(self):
        return publishing_action(self.data)


def publishing_action(data):
    """Which publishing button sent `data` (PUBLISH, SCHEDULE, UNPUBLISH), or None for a plain save."""
    for action in (PUBLISH, SCHEDULE, UNPUBLISH):
        if action in data:
            return action
    return None


def snapshot_from_submission(form, data):
    """What the editor submitted, as a snapshot: the form's fields and its tag and photo rows."""
    cleaned = form.cleaned_data
    snapshot = {field: cleaned.get(field, getattr(form.instance, field)) for field in FIELDS}
    snapshot["body"] = normalized_body(snapshot["body"] or "")
    published_at = snapshot["published_at"]
    snapshot["published_at"] = published_at.isoformat() if published_at else None
    tag_ids = [value for prefix, value in _rows(data, TaggedArticle, "tag")]
    names = dict(Tag.objects.filter(pk__in=[i for i in tag_ids if i.isdigit()]).values_list("pk", "name"))
    snapshot["tags"] = sorted({names[int(i)] for i in tag_ids if i.isdigit() and int(i) in names}, key=str.casefold)
    photos = []
    for prefix, value in _rows(data, ArticleImage, "image"):
        if value.isdigit():
            position = data.get(f"{prefix}-position", "")
            photos.append((int(position) if position.lstrip("-").isdigit() else 0, len(photos), int(value)))
    snapshot["images"] = [image_id for _, _, image_id in sorted(photos)]
    return snapshot


def _rows(data, model, name):
    """(row prefix, value of `name`) for the inline rows of `model` not marked for deletion."""
    fk = "content_object" if model is TaggedArticle else "article"
    prefix = model._meta.get_field(fk).remote_field.get_accessor_name()
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    for index in range(min(int(total) if total.isdigit() else 0, 1000)):
        row = f"{prefix}-{index}"
        if not data.get(f"{row}-DELETE") and data.get(f"{row}-{name}"):
            yield row, data.get(f"{row}-{name}")


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """Tabular rows have column headings, not labels: give each input one for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        noun = self.model._meta.verbose_name
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                label = f"Remove this {noun}" if name == "DELETE" else f"{field.label or name}"
                field.widget.attrs.setdefault("aria-label", f"{label} ({noun}, {row})")
