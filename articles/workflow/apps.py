from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "articles.workflow"
    label = "workflow"
    verbose_name = "Review and sign-offs"
