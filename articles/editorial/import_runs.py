"""The editors' admin for import runs: a record to read, nothing to edit."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from articles.ingest.runs import import_runs_mark_interrupted
from articles.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are a record: editors read them, nobody edits them."""

    list_display = [
        "file_name", "started_at", "status", "articles_created", "articles_skipped",
        "articles_failed", "images_created", "images_reused", "tags_applied",
    ]
    list_filter = ["status", "started_at"]
    search_fields = ["file_name", "file_sha256"]
    readonly_fields = [
        "file_name", "file_size", "file_sha256", "started_at", "finished_at", "status", "options",
        "articles_created", "articles_skipped", "articles_failed", "images_created", "images_reused",
        "tags_applied", "error_list", "host", "pid",
    ]
    exclude = ["errors"]
    actions = ["mark_interrupted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Mark selected runs whose process has ended as interrupted")
    def mark_interrupted(self, request, queryset):
        # Explicit, and a POST: opening the list must not write. import_dump
        # does the same for every run when it starts.
        marked = import_runs_mark_interrupted(queryset=queryset)
        self.message_user(request, ngettext("%d run marked as interrupted.", "%d runs marked as interrupted.",
                                            marked) % marked, messages.SUCCESS if marked else messages.INFO)

    @admin.display(description="Errors")
    def error_list(self, obj):
        if not obj.errors:
            return "–"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((error,) for error in obj.errors)))
