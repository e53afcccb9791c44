"""The authors admin as editors use it: the people app's, with merging and the duplicate check.

Merging belongs to the duplicates feature, which stands above the people
app; so the people app's admin is extended here, where both can be
imported, and registered in its place.
"""

from django.contrib import admin, messages

from articles.duplicates.finder import author_check
from articles.duplicates.merging import author_merge
from articles.editorial.duplicates import MERGE_PERMISSION
from articles.editorial.merge_action import merge_chosen
from articles.people.admin import AuthorAdmin
from articles.people.models import Author


admin.site.unregister(Author)


@admin.register(Author)
class EditorialAuthorAdmin(AuthorAdmin):
    actions = ["merge_authors"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if author_check(author=obj):
            self.message_user(request, "This author looks like the same person as another author; see Duplicate "
                              "candidates to merge them.", messages.WARNING)

    def has_merge_permission(self, request):
        # The same permission as merging from the duplicates queue: merging is one decision, wherever it is made.
        return request.user.has_perm(MERGE_PERMISSION)

    @admin.action(description="Merge the selected authors into one…", permissions=["merge"])
    def merge_authors(self, request, queryset):
        """Any authors an editor chooses ("J. Doe" into "Jane Doe"), not only those the finder proposed."""
        return merge_chosen(
            self, request, list(queryset.order_by("-article_count", "name", "id")), merge=author_merge,
            noun="author", action="merge_authors", template="admin/people/author/merge_confirm.html",
            explanation="The one you keep is credited on every article of the others; their names and addresses "
                        "become its aliases (later bylines with those names find it) and their pages redirect "
                        "to its page.")
