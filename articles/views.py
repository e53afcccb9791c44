"""Reader pages."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles.models import Article, Tag
from articles.selectors import article_get_published, article_list_published


def home(request):
    page = Paginator(article_list_published(), settings.NEWSROOM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "articles/home.html", {"page": page})


def article_detail(request, slug):
    try:
        article = article_get_published(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article")
    return render(request, "articles/article_detail.html", {"article": article})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = article_list_published().filter(tags=tag)
    page = Paginator(articles, settings.NEWSROOM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})
