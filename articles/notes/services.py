"""Writes of notes: adding one (and telling whoever it mentions), resolving one, opening mentions."""

import logging
import re
import smtplib
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from articles.models import paragraphs_from_body
from articles.notes.models import Mention, Note
from articles.notes.selectors import users_mentionable

logger = logging.getLogger(__name__)

TEXT_MAX_LENGTH = 5000
# "@name" where nothing that could belong to an address or a word stands before the "@", so
# "me@example.org" mentions nobody. The name takes what a Django username may hold.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]+)")
# A sentence may end right after a name: "ask @jane." mentions jane.
TRAILING = ".-+@"


def mention_names(text):
    """The usernames written as @mentions in `text`, in order, each once (pure: nothing is looked up)."""
    names = []
    for match in MENTION.finditer(text):
        for name in dict.fromkeys((match.group(1), match.group(1).rstrip(TRAILING))):
            if name and name not in names:
                names.append(name)
    return names


def mentions_parse(*, text):
    """The users `text` mentions who may be mentioned (active staff who may read articles), in order.

    A name followed by punctuation ("@jane.") is the longer name if such a
    user exists, else the shorter one.
    """
    names = mention_names(text)
    found = {user.username: user for user in users_mentionable(usernames=names)}
    users = []
    for match in MENTION.finditer(text):
        whole = match.group(1)
        user = found.get(whole) or found.get(whole.rstrip(TRAILING))
        if user is not None and user not in users:
            users.append(user)
    return users


def note_add(*, article, author, text, paragraph=None, site=""):
    """Add a note to `article` (or to its paragraph number `paragraph`, from 1) and tell whoever it mentions.

    Each mentioned user gets one e-mail once the note is committed, with a link to
    the article's notes on `site` ("https://cms.example.org"; the bare path if empty).
    The author is not told of their own mention.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError("A note needs some text.")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(f"A note holds at most {TEXT_MAX_LENGTH:,} characters; this one has {len(text):,}.")
    paragraph_text = ""
    if paragraph is not None:
        paragraphs = paragraphs_from_body(article.body or "")
        if not 1 <= paragraph <= len(paragraphs):
            raise ValidationError(f"The article has {len(paragraphs)} paragraph(s); there is no paragraph {paragraph}.")
        paragraph_text = paragraphs[paragraph - 1]
    with transaction.atomic():
        note = Note.objects.create(article=article, author=author, text=text, paragraph=paragraph,
                                   paragraph_text=paragraph_text)
        mentioned = [user for user in mentions_parse(text=text) if user.pk != getattr(author, "pk", None)]
        Mention.objects.bulk_create([Mention(note=note, user=user) for user in mentioned])
        transaction.on_commit(partial(mentions_notify, note_id=note.pk, link=site + note.get_absolute_url()))
    return note


def mentions_notify(*, note_id, link):
    """E-mail each user the note mentions who was not told yet: the headline, the note and the link."""
    pending = Mention.objects.filter(note_id=note_id, notified_at__isnull=True).select_related(
        "user", "note__author", "note__article")
    for mention in pending:
        if not mention.user.email:
            continue  # the desk still lists it
        note = mention.note
        who = (note.author.get_full_name() or note.author.username) if note.author else "An editor"
        quoted = f"On paragraph {note.paragraph}: “{note.paragraph_text}”\n\n" if note.paragraph else ""
        try:
            send_mail(
                subject=f"{who} mentioned you on “{note.article.title[:150]}”",
                message=f"{who} wrote on “{note.article.title}”:\n\n{quoted}{note.text}\n\n"
                        f"Open the article's notes: {link}\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[mention.user.email],
            )
        except (smtplib.SMTPException, OSError):
            # The note is saved and on their desk: a mail server being down must not fail the editor's post.
            logger.exception("Could not e-mail %s about note %s", mention.user.username, note_id)
            continue
        Mention.objects.filter(pk=mention.pk).update(notified_at=timezone.now())


def note_resolve(*, note, user):
    """Mark `note` resolved by `user`. It stays on the article, folded away; resolving twice changes nothing."""
    now = timezone.now()
    if Note.objects.filter(pk=note.pk, resolved_at__isnull=True).update(resolved_at=now, resolved_by=user):
        note.resolved_at, note.resolved_by = now, user
    else:
        note.refresh_from_db(fields=["resolved_at", "resolved_by"])
    return note


def mentions_open(*, user, article_id):
    """`user` has opened the notes of an article: their mentions there are seen. Returns how many were unseen."""
    return Mention.objects.filter(user=user, note__article_id=article_id, seen_at__isnull=True).update(
        seen_at=timezone.now())

