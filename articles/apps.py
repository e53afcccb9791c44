from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles.cache import invalidate_on_change

        # Readers' pages are cached; any change they could see invalidates them.
        for model_name in ("Article", "Tag", "TagAlias", "TaggedArticle", "ArticleImage"):
            model = self.get_model(model_name)
            for signal in (post_save, post_delete):
                signal.connect(invalidate_on_change, sender=model, dispatch_uid=f"reader-cache-{model_name}")
