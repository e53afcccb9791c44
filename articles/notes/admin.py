"""The notes panel of the article admin: read with view permission, written with change permission.

A mixin for ArticleAdmin rather than an admin of its own: notes live on the
article's page and are posted to addresses under it. Nothing is registered here.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from articles.models import Article, paragraphs_from_body
from articles.notes.forms import NoteForm
from articles.notes.models import Note
from articles.notes.selectors import notes_for_article
from articles.notes.services import mentions_open, note_add, note_resolve


class NotesAdminMixin:
    """Adds the notes panel to the article's change page, and the views it posts to."""

    def notes_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/notes/add/", view(require_POST(self.note_add_view)), name="articles_article_note_add"),
            path("<int:pk>/notes/<int:note_id>/resolve/", view(require_POST(self.note_resolve_view)),
                 name="articles_article_note_resolve"),
            path("<int:pk>/notes/open/", view(require_POST(self.notes_open_view)), name="articles_article_notes_open"),
        ]

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/notes.css"]})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and self.has_view_permission(request, obj):
            open_notes, resolved_notes = notes_for_article(article_id=obj.pk)
            may_write = self.has_change_permission(request, obj)
            context["notes_panel"] = {
                "open": open_notes, "resolved": resolved_notes, "may_write": may_write,
                "form": NoteForm(auto_id="id_note_%s", paragraphs=len(paragraphs_from_body(obj.body or "")))
                if may_write else None,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _notes_article(self, request, pk, *, change):
        article = get_object_or_404(Article.objects.only("id", "title", "body", "status"), pk=pk)
        allowed = self.has_change_permission(request, article) if change else self.has_view_permission(request, article)
        if not allowed:
            raise PermissionDenied
        return article

    def _back_to_notes(self, article):
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]) + "#notes")

    def note_add_view(self, request, pk):
        article = self._notes_article(request, pk, change=True)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                note = note_add(article=article, author=request.user, text=form.cleaned_data["text"],
                                paragraph=form.cleaned_data["paragraph"],
                                site=request.build_absolute_uri("/").rstrip("/"))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                names = [mention.user.username for mention in note.mentions.select_related("user")]
                told = f" @{', @'.join(names)} will be told." if names else ""
                self.message_user(request, f"Note added.{told}", messages.SUCCESS)
                return self._back_to_notes(article)
        errors = "; ".join(message for messages_ in form.errors.values() for message in messages_)
        self.message_user(request, f"The note was not added: {errors}", messages.ERROR)
        return self._back_to_notes(article)

    def note_resolve_view(self, request, pk, note_id):
        article = self._notes_article(request, pk, change=True)
        note = get_object_or_404(Note, pk=note_id, article_id=article.pk)
        note_resolve(note=note, user=request.user)
        self.message_user(request, "Note resolved: it stays under “Resolved notes”.", messages.SUCCESS)
        return self._back_to_notes(article)

    def notes_open_view(self, request, pk):
        """From the desk: the article's notes, where the user was mentioned; those mentions are seen now."""
        article = self._notes_article(request, pk, change=False)
        mentions_open(user=request.user, article_id=article.pk)
        return self._back_to_notes(article)
