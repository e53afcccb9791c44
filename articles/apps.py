from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles.core.signals import watch_model
        from articles.reader.signal_handlers import register_signal_handlers

        # Everything readers see of an article, its tags and photo placements.
        for model_name in ("Article", "Tag", "TagAlias", "TaggedArticle", "ArticleImage"):
            watch_model(self.get_model(model_name))
        register_signal_handlers()
