from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "articles.people"
    label = "people"
    verbose_name = "Authors"

    def ready(self):
        from articles.core.signals import watch_model

        # An author's name and address show on their articles' pages; who
        # wrote an article shows on both sides.
        for model_name in ("Author", "AuthorAlias", "ArticleAuthor"):
            watch_model(self.get_model(model_name))
