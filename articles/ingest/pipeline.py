"""Import dumps into articles, images and tags: the entry points.

`import_dump`, tests and benchmarks all call `import_paths` (or
`import_stream`). One file is read, parsed and prepared in a forked child
(worker.py, records.py) while this process writes the previous batch
(writer.py), each batch in one transaction, so a killed import leaves only
whole articles behind and a re-run completes it. The run is recorded
(runs.py), and readers' caches are told what changed (core.signals).
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from articles.ingest import dumpparser, lines
from articles.ingest.jsonl import jsonl_records
from articles.ingest.photo_files import PhotoFilesReader
from articles.ingest.records import NotADump, batched, prepare_record, text_records, until_junk_limit
from articles.ingest.runs import import_run_finish, import_run_start, import_runs_mark_interrupted, run_failure_recorded
from articles.ingest.sources import (
    BLANK, BLANK_LIMIT, EMPTY, HashingReader, Replay, detect_format, expand_paths, open_input, skip_blank_start,
)
from articles.ingest.worker import can_fork, gc_frozen, in_child_process, returning
from articles.ingest.writer import ImportOptions, ImportReport, Importer
from articles.core.bulk import statistics_refresh
from articles.models import (
    Article, ArticleAddress, ArticleBand, ArticleImage, ArticleSearchDocument, ArticleSignature, ArticleVersion,
    DuplicateCandidate, TaggedArticle,
)
from media.models import Image

# The tables an import adds rows to.
GROWN_BY_IMPORT = (Article, ArticleSearchDocument, ArticleImage, TaggedArticle, ArticleSignature, ArticleBand,
                   ArticleAddress, ArticleVersion, DuplicateCandidate, Image)

__all__ = ["ImportOptions", "ImportReport", "ImportTotal", "explain_paths", "import_paths", "import_stream"]


@dataclass
class ImportTotal(ImportReport):
    """What an import of every file did, and how many photo files (--media) were missing or refused."""

    photos_missing: int = 0


def prepared_batches(stream, reader, *, fmt, encoding, vocabulary, size):
    """Yield (batch of prepared records, bytes read so far); return the
    input's size and SHA-256 once it has been read to the end."""
    records_of = jsonl_records if fmt == "jsonl" else text_records
    records = (prepare_record(record, vocabulary)
               for record in until_junk_limit(records_of(stream, encoding=encoding), reader))
    for batch in batched(records, size):
        yield batch, reader.size
    # Read to the end so size and hash describe the whole file.
    while stream.read(lines.CHUNK_SIZE):
        pass
    return reader.size, reader.sha256.hexdigest()


def import_stream(stream, *, name: str, options: ImportOptions,
                  progress: Callable[[int], None] | None = None,
                  photo_files: PhotoFilesReader | None = None) -> ImportReport:
    """Import one dump from a binary stream. Never raises for bad content.

    `photo_files` is the --media reader when several dumps share it; else
    it is opened at the first photo file.
    """
    reader = HashingReader(stream)
    buffered = io.BufferedReader(reader, buffer_size=lines.CHUNK_SIZE)
    head = buffered.peek(lines.BINARY_SNIFF_BYTES)[: lines.BINARY_SNIFF_BYTES]
    importer = Importer(options, name=name)
    importer.photo_files = photo_files
    report = importer.report
    report.files = 1

    if not options.dry_run:
        importer.run = import_run_start(name=name, options=options)
        report.runs.append(importer.run)

    # Each batch commits in a unit of work of its own, which tells readers' caches
    # what it added: an import stopped half-way has announced what it kept.
    with run_failure_recorded(importer.run, name):
        read = import_body(importer, buffered, reader, head, name=name, options=options, progress=progress)

    if importer.run is not None:
        size, sha256 = read
        import_run_finish(importer.run, size=size, sha256=sha256, errors=report.errors,
                          counters=report.counters())
    return report


def import_body(importer, buffered, reader, head, *, name, options, progress):
    """Parse and write one dump; return its (size, SHA-256)."""
    report = importer.report
    read = None  # (size, SHA-256) of the input, once read to the end
    if not head.strip():
        skipped, found = skip_blank_start(buffered)
        if found == EMPTY:
            report.errors.append(f"{name}: the file is empty; nothing imported")
        elif found == BLANK:
            report.errors.append(f"{name}: only blank space in the first {BLANK_LIMIT // 2**20} MiB; not a dump, "
                                 "and the rest was not read; nothing imported")
            return None, None
        else:
            buffered = io.BufferedReader(Replay(skipped, buffered), buffer_size=lines.CHUNK_SIZE)
            head = skipped.lstrip()[: lines.BINARY_SNIFF_BYTES]  # what follows the blank space tells the format
    fmt = detect_format(name, head, options.format)
    if not head.strip():
        pass  # empty, said above
    elif fmt == "text" and not options.encoding.lower().startswith(("utf-16", "utf16", "utf-32", "utf32")) \
            and lines.looks_binary(head):
        report.errors.append(f"{name}: this looks like a binary file, not a text dump; nothing imported")
    else:
        importer.load_tags()
        importer.auto_tag = fmt == "text"
        batches = prepared_batches(buffered, reader, fmt=fmt, encoding=options.encoding, size=importer.batch_size,
                                   vocabulary=importer.vocabulary if importer.auto_tag else None)
        if can_fork():
            batches = in_child_process(batches)
        before = report.articles_created + report.articles_skipped + report.articles_failed
        ends = []
        with gc_frozen():
            try:
                importer.write(returning(batches, ends), progress=progress)
            except NotADump as junk:
                report.errors.append(f"{name}: {junk}")
                return None, None
            finally:
                batches.close()  # on failure, stop the child now rather than when garbage is collected
        if not ends:
            return None, None  # the writer stopped reading: junk, not a dump (it said so)
        read = ends[0]
        if report.articles_created + report.articles_skipped + report.articles_failed == before:
            report.errors.append(f"{name}: no articles found (expected headline, captions, TT widget, body)")
    if read is None:
        # Read to the end so size and hash describe the whole file.
        while buffered.read(lines.CHUNK_SIZE):
            pass
        read = reader.size, reader.sha256.hexdigest()
    return read


def import_paths(paths: Iterable[str], *, options: ImportOptions,
                 progress_factory: Callable[[str, int | None], Callable[[int], None]] | None = None) -> ImportTotal:
    """Import every dump named by paths (files, directories, .gz, `-`)."""
    total = ImportTotal()
    if not options.dry_run:
        import_runs_mark_interrupted()
    # Opened and listed once for all the dumps; a dry run reads no photo file.
    photo_files = PhotoFilesReader(options.photo_files) if options.photo_files and not options.dry_run else None
    try:
        import_files(paths, total, options=options, progress_factory=progress_factory, photo_files=photo_files)
    finally:
        if photo_files is not None:
            photo_files.close()
    if photo_files is not None:
        total.photos_missing = photo_files.missing
    if not options.dry_run and total.articles_created:
        statistics_refresh(GROWN_BY_IMPORT)
    return total


def import_files(paths, total, *, options, progress_factory, photo_files):
    """Import each dump into `total`; a file that cannot be read is one line and the others go on."""
    for path in expand_paths(paths):
        name = "<stdin>" if path == "-" else path
        try:
            stream = open_input(path)
        except OSError as error:
            total.files += 1
            total.errors.append(f"{name}: cannot open: {error.strerror or error}")
            continue
        size = None if path == "-" or path.endswith(".gz") else os.path.getsize(path)
        progress = progress_factory(name, size) if progress_factory else None
        try:
            report = import_stream(stream, name=name, options=options, progress=progress, photo_files=photo_files)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            total.files += 1
            total.errors.append(f"{name}: read error: {error}")
            continue
        except LookupError:
            total.files += 1
            total.errors.append(f"{name}: unknown encoding {options.encoding!r}")
            continue
        finally:
            if path != "-":
                stream.close()
        total.files += 1
        total.add(report)
        total.runs.extend(report.runs)


def explain_paths(paths, *, encoding="utf-8"):
    """(name, ParsedArticle) for every article in text dumps, for --explain."""
    for path in expand_paths(paths):
        name = "<stdin>" if path == "-" else path
        stream = open_input(path)
        try:
            for article in dumpparser.parse_lines(lines.read_lines(stream, encoding=encoding)):
                yield name, article
        finally:
            if path != "-":
                stream.close()
