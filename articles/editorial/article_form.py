"""The article form: the version it was loaded at, plain-text body with counts, publishing buttons, tags in one box."""

import copy
import math

from django import forms
from django.conf import settings
from django.db.models import Case, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.editorial.versioned import VersionedForm
from articles.history.snapshots import DATES, FIELDS, normalized_body
from articles.core.text import clean_text
from articles.models import Article, ArticleImage, Tag, TagAlias, TaggedArticle
from articles.services import tag_find, tag_get_or_create
from articles.workflow.rules import publishing_refusal

PUBLISH, SCHEDULE, UNPUBLISH = "_publish", "_schedule", "_unpublish"

# What search results show of a headline and of a description (the standfirst), roughly.
SEARCH_TITLE_CHARS, SEARCH_DESCRIPTION_CHARS = 60, 160
WORDS_PER_MINUTE = 230


def text_counts(text, *, limit=None, search_chars=None):
    """The line under a headline or standfirst box: its length, the limit, what search results show."""
    parts = [f"{len(text)} of {limit} characters" if limit else f"{len(text)} characters"]
    if search_chars:
        parts.append(f"search results show about {search_chars}")
    return " · ".join(parts)


def body_counts(body):
    """The line under the body: words and reading time."""
    words = len(body.split())
    if not words:
        return "0 words"
    return f"{words} words · about {math.ceil(words / WORDS_PER_MINUTE)} min to read"


class BodyField(forms.CharField):
    """A textarea sends CRLF; the body keeps LF, so an untouched body is not "changed"."""

    def to_python(self, value):
        return normalized_body(super().to_python(value))


TAG_NAME_LIMIT = Tag._meta.get_field("name").max_length


def tag_names_parse(text):
    """Tag names typed in one box, separated by commas or new lines; blanks and repeats (in any case) dropped."""
    names, seen = [], set()
    for part in text.replace("\n", ",").split(","):
        name = clean_text(part)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def tag_suggestions(*, term, limit=10):
    """Tags, and aliases with the tag they stand for, whose name contains `term` (any case); names first
    that start with it. [{"name": tag name, "alias": the alias typed, or ""}]"""
    term = clean_text(term)
    if not term:
        return []
    starts_first = Case(When(name__istartswith=term, then=0), default=1)
    tags = Tag.objects.filter(name__icontains=term).order_by(starts_first, "name").values_list("name", flat=True)
    aliases = (TagAlias.objects.filter(name__icontains=term).order_by(starts_first, "name")
               .values_list("name", "tag__name"))
    found = [{"name": name, "alias": ""} for name in tags[:limit]]
    found += [{"name": name, "alias": alias} for alias, name in aliases[:limit - len(found)]]
    return found


class TagNamesInput(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        if name in data:
            return data[name]
        # A form opened before tags were one box sends them as rows of tag ids.
        ids = [value for _, value in _rows(data, TaggedArticle, "tag") if value.isdigit()]
        if ids or f"{_inline_prefix(TaggedArticle)}-TOTAL_FORMS" in data:
            return ", ".join(Tag.objects.filter(pk__in=ids).values_list("name", flat=True))
        return None


class TagNamesField(forms.Field):
    """Tags as names in one box: "Iraq, floods, a new one". Written by ArticleForm.save_tags."""

    widget = TagNamesInput

    def __init__(self, **kwargs):
        super().__init__(required=False, show_hidden_initial=True, **kwargs)

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return tag_names_parse(value or "")

    def validate(self, value):
        super().validate(value)
        for name in value:
            if len(name) > TAG_NAME_LIMIT:
                raise forms.ValidationError(f"The tag “{name[:40]}…” is {len(name)} characters; "
                                            f"the limit is {TAG_NAME_LIMIT}.")

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def has_changed(self, initial, data):
        # The same tags in another case or order are no change: nothing to write over another editor's.
        return ({name.casefold() for name in self.to_python(initial)}
                != {name.casefold() for name in self.to_python(data)})


class ArticleForm(VersionedForm):
    # Set by the admin to the user saving; None leaves the publishing rule to the unit of work alone.
    user = None

    tags = TagNamesField(
        help_text="Separate tags with commas, or press Enter after each. Existing tags and their aliases are "
                  "found whatever the case; a new name becomes a new tag when you save.")

    class Meta:
        model = Article
        fields = "__all__"
        # Written by save_tags, through the tag service, not by taggit's own form field.
        exclude = ["tags"]
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
            self._count("title", limit=Article._meta.get_field("title").max_length, search_chars=SEARCH_TITLE_CHARS)
        if "standfirst" in self.fields:
            self.fields["standfirst"].widget.attrs["rows"] = 3
            self._count("standfirst", search_chars=SEARCH_DESCRIPTION_CHARS)
        if "body" in self.fields:
            self._count("body")
        if "tags" in self.fields:
            if self.instance.pk:
                self.initial.setdefault("tags", sorted(self.instance.tags.values_list("name", flat=True),
                                                       key=str.casefold))
            self.fields["tags"].widget.attrs.update({
                "data-suggest-url": reverse("admin:articles_article_tag_suggestions"), "autocomplete": "off",
                "class": "vTextField tag-names", "spellcheck": "false"})
        for name, label in (("published_at", "Publication"), ("embargo_until", "Embargo")):
            if name in self.fields:
                field = self.fields[name]
                field.help_text = f"{field.help_text} Times are in {settings.TIME_ZONE}."
                # The split widget's two inputs share one visible label; screen readers need one each.
                for widget, part in zip(getattr(field.widget, "widgets", ()), ("date", "time")):
                    widget.attrs["aria-label"] = f"{label} {part}"

    def _count(self, name, *, limit=None, search_chars=None):
        """A count under the field, first written here (it works without JavaScript), then kept live by
        static/js/article-form.js, which reads the numbers from the input's data attributes."""
        field = self.fields[name]
        # Not through self[name]: a bound field copies the help text when it is first made.
        if self.is_bound:
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        else:
            value = self.get_initial_for_field(field, name)
        value = value or ""
        if name == "body":
            field.widget.attrs["data-words-per-minute"] = WORDS_PER_MINUTE
            line = body_counts(normalized_body(value))
        else:
            field.widget.attrs.update({"data-limit": limit or "", "data-search-chars": search_chars or ""})
            line = text_counts(value, limit=limit, search_chars=search_chars)
        field.widget.attrs["data-counted"] = name
        over = " is-over" if limit and len(value) > limit else ""
        field.help_text = format_html('{} <span class="text-count{}" data-count-of="{}">{}</span>',
                                      field.help_text, over, name, line)

    def clean_published_at(self):
        when = self.cleaned_data.get("published_at")
        stored = self.instance.published_at if self.instance.pk else None
        # The form shows whole seconds: an untouched date must not lose the stored microseconds
        # (History would show it as changed on every first save).
        if when and stored and when == stored.replace(microsecond=0):
            return stored
        return when

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
        self._check_publishing(cleaned)
        return cleaned

    def _check_publishing(self, cleaned):
        """Said on the form, before anything is written; the unit of work holds the same rule whoever writes."""
        if self.user is None:
            return
        article = copy.copy(self.instance)  # the instance itself is filled only after clean()
        article.status = cleaned.get("status", article.status)
        article.published_at = cleaned.get("published_at", article.published_at)
        kind = {PUBLISH: "published", SCHEDULE: "scheduled", UNPUBLISH: "unpublished"}.get(self.publishing_action(), "")
        was_published = self.instance.pk is not None and self.instance.status == Article.Status.PUBLISHED
        refusal = publishing_refusal(user=self.user, article=article, was_published=was_published, kind=kind)
        if refusal is not None:
            self.add_error(None, "; ".join(getattr(refusal, "messages", None) or [str(refusal)]))

    def publishing_action(self):
        return publishing_action(self.data)

    def _save_m2m(self):
        super()._save_m2m()
        self.save_tags()

    def save_tags(self):
        """Set the typed tags, each matched to a tag or alias whatever its case, or created.

        Only when the editor changed them: a form opened before another
        editor retagged the article would otherwise put the old tags back.
        """
        if "tags" not in self.changed_data:
            return
        tags = {tag.pk: tag for tag in map(tag_get_or_create, self.cleaned_data["tags"])}
        self.instance.tags.set(list(tags.values()))


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
    for part in DATES:
        value = snapshot[part]
        snapshot[part] = value.isoformat() if value else None
    if "tags" not in form.fields or form["tags"].data is None:  # not sent: the tags stay as they are
        snapshot["tags"] = sorted(form.instance.tags.values_list("name", flat=True), key=str.casefold)
    else:
        # As they would be stored: a name in another case, or an alias, is the tag it names.
        found = {name: tag_find(name) for name in cleaned["tags"]}
        snapshot["tags"] = sorted({tag.name if tag else name for name, tag in found.items()}, key=str.casefold)
    photos = []
    for prefix, value in _rows(data, ArticleImage, "image"):
        if value.isdigit():
            position = data.get(f"{prefix}-position", "")
            photos.append((int(position) if position.lstrip("-").isdigit() else 0, len(photos), int(value)))
    snapshot["images"] = [image_id for _, _, image_id in sorted(photos)]
    return snapshot


def _rows(data, model, name):
    """(row prefix, value of `name`) for the inline rows of `model` not marked for deletion."""
    prefix = _inline_prefix(model)
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    for index in range(min(int(total) if total.isdigit() else 0, 1000)):
        row = f"{prefix}-{index}"
        if not data.get(f"{row}-DELETE") and data.get(f"{row}-{name}"):
            yield row, data.get(f"{row}-{name}")


def _inline_prefix(model):
    fk = "content_object" if model is TaggedArticle else "article"
    return model._meta.get_field(fk).remote_field.get_accessor_name()


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
