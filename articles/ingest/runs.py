"""Import runs: the record of each imported file, and telling live runs from dead ones.

A killed import commits whole batches and never gets to record its end;
`import_runs_mark_interrupted` finds runs whose process is gone, using
/proc where the machine has it.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError
from django.utils import timezone

from articles.models import ImportRun


def import_run_start(*, name, options) -> ImportRun:
    """Record that this process starts importing the file `name`."""
    return ImportRun.objects.create(
        file_name=name, options=options_as_json(options), status=ImportRun.Status.RUNNING,
        host=socket.gethostname(), pid=os.getpid(), process=process_token(os.getpid()),
    )


def import_run_finish(run, *, size, sha256, errors, counters):
    """Record how a run ended: the file's size and hash, its errors and counters."""
    # None, None when the file was not read to its end (junk, not a dump).
    run.file_size, run.file_sha256 = size, sha256 or ""
    run.finished_at = timezone.now()
    run.status = ImportRun.Status.FAILED if errors else ImportRun.Status.FINISHED
    run.errors = errors[:1000]
    for name, value in counters.items():
        setattr(run, name, value)
    run.save()


@contextmanager
def run_failure_recorded(run, name):
    """Record a run that stops on an unexpected error (a read error, Ctrl-C) as
    ended, rather than leave it "running"; the error goes on to the caller."""
    try:
        yield
    except BaseException as error:
        if run is not None:
            interrupted = isinstance(error, KeyboardInterrupt)
            try:
                ImportRun.objects.filter(pk=run.pk).update(
                    status=ImportRun.Status.INTERRUPTED if interrupted else ImportRun.Status.FAILED,
                    finished_at=timezone.now(), errors=[f"{name}: stopped by {type(error).__name__}: {error}"[:1000]])
            except DatabaseError:
                pass  # the database itself failed; the run shows as interrupted once this process ends
        raise


def import_runs_mark_interrupted(*, queryset=None) -> int:
    """Mark "running" runs (of `queryset`, default all) whose import process is gone as interrupted.

    A killed import commits whole batches and never gets to record its end
    (a re-run completes it). Only this machine's processes can be checked,
    and only in this process's pid namespace: other runs stay as they are.
    Returns how many were marked.
    """
    runs = ImportRun.objects.all() if queryset is None else queryset
    running = runs.filter(status=ImportRun.Status.RUNNING, host=socket.gethostname(), pid__isnull=False)
    here = process_token(os.getpid())
    gone = [run.pk for run in running.only("pk", "pid", "process") if process_gone(run.pid, run.process, here=here)]
    if not gone:
        return 0
    return ImportRun.objects.filter(pk__in=gone, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.INTERRUPTED)


def process_token(pid: int) -> str:
    """ "boot id:pid namespace:start time" of a live process, or "" where
    /proc cannot tell (not Linux, or no such process)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
        # After the command name in parentheses: field 3 is the state, field 22 the start time.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return ""
    if fields[0] in ("Z", "X"):  # exited, not yet reaped
        return ""
    return f"{boot}:{namespace}:{fields[19]}"


def process_gone(pid: int, recorded: str, *, here: str) -> bool:
    """Whether the process that recorded `recorded` (its process_token) as
    `pid` has ended, seen from the process whose token is `here`. False
    when that cannot be known from here."""
    if not recorded:
        return not process_alive(pid)
    if not here:
        return False
    recorded_boot, recorded_namespace, _ = recorded.rsplit(":", 2)
    boot, namespace, _ = here.rsplit(":", 2)
    if recorded_boot != boot:
        return True  # the machine restarted since
    if recorded_namespace != namespace:
        return False  # another container's processes: not visible from here
    return process_token(pid) != recorded  # gone, or its id now belongs to another process


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def options_as_json(options):
    return {
        "status": options.status,
        "published_at": options.published_at.isoformat() if options.published_at else None,
        "source": options.source,
        "tags": options.tags,
        "encoding": options.encoding,
        "format": options.format,
    }
