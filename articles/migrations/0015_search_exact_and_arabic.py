"""Search documents that keep exact words beside stems, and Arabic stems for Arabic articles.

English stemming folds "Hamas" into "hama", the stem of the Syrian city:
the document now also holds every word as written (the 'simple'
configuration), so that a search can prefer, or require, the exact word.
Articles in Arabic script are stemmed with the 'arabic' configuration
instead of the English one. Existing documents are rebuilt.
"""

from django.db import migrations

ARABIC = "'[\u0600-\u06FF]'"


def document(row):
    stemmed = (f"(CASE WHEN COALESCE({row}.title, '') ~ {ARABIC} THEN 'arabic' ELSE 'english' END)::regconfig")
    parts = []
    for column, weight in (("title", "A"), ("standfirst", "B"), ("body", "C")):
        value = f"COALESCE({row}.{column}, '')"
        parts.append(f"setweight(to_tsvector({stemmed}, {value}), '{weight}')")
        parts.append(f"setweight(to_tsvector('simple'::regconfig, {value}), '{weight}')")
    return " || ".join(parts)


FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION articles_article_search_document() RETURNS trigger AS $$
    BEGIN
        INSERT INTO articles_articlesearchdocument (article_id, document)
        VALUES (NEW.id, {document("NEW")})
        ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"UPDATE articles_articlesearchdocument d SET document = {document('a')} FROM articles_article a "
    "WHERE a.id = d.article_id",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0014_tagging_newest_index"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
    ]
