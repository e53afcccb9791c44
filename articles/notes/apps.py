from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "articles.notes"
    label = "notes"
    verbose_name = "Notes between editors"
