"""A GIN index for full-text search, on PostgreSQL only.

The indexed expression is the search vector of articles/search.py,
character for character as Django writes it, so that the planner uses the
index for `vector @@ query`. SQLite has no such index; its search is a
plain scan (see articles/search.py).
"""

from django.db import migrations

INDEX_NAME = "articles_article_search_gin"
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(\"standfirst\", '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(\"body\", '')), 'C')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON articles_article USING GIN (({VECTOR}))")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_editors_can_merge")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
