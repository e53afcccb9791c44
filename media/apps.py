from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "Images"

    def ready(self):
        from articles.core.signals import watch_model

        # Captions, credits and files show on readers' pages.
        watch_model(self.get_model("Image"))
