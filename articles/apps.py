from django.apps import AppConfig, apps


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles.core.signals import watch_model
        from articles.duplicates import signal_handlers as duplicates_signals
        from articles.reader import signal_handlers as reader_signals

        # Everything readers see of an article, its tags and photo placements.
        for model_name in ("Article", "Tag", "TagAlias", "TaggedArticle", "ArticleImage"):
            watch_model(self.get_model(model_name))
        reader_signals.register_signal_handlers()
        duplicates_signals.register_signal_handlers(apps.get_model("media", "Image"))
