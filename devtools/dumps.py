"""Small dumps for tests: an article in the scraped layout, a file, a command run."""

from io import StringIO

from django.core.management import CommandError, call_command


def run_import(*args):
    """Run the command; return (stdout, stderr, failed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_dump", *map(str, args), stdout=out, stderr=err)
    except CommandError:
        return out.getvalue(), err.getvalue(), True
    return out.getvalue(), err.getvalue(), False


def dump(text, tmp_path, name="dump.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def article_text(title, paragraphs, captions=(), widget="20"):
    lines = [title, ""]
    for caption in captions:
        lines += [caption, caption]
    lines += ["TT", widget, "", title, ""]
    if captions:
        for caption in captions:
            lines += [caption, caption]
        lines.append("")
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    return "\n".join(lines) + "\n\n\n"
