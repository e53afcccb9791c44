"""The import's second process: parsing and hashing on another core.

Parsing and hashing are Python work; in a forked process of their own they
run while the writing process waits for the database. Plus the garbage
collector tuning both processes share.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from contextlib import contextmanager


def can_fork():
    # macOS has fork() but not safely after its system frameworks are loaded;
    # and a child forked from a threaded process (a web server, say) could
    # inherit a lock another thread held, and wait for it forever.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def in_child_process(generator):
    """Run `generator` in a forked process; yield its items, return its result.

    Parsing and hashing are Python work: in a process of their own they run
    on another core while this one waits for the database (a thread would
    share the interpreter lock with the writes). The pipe holds about one
    message, so the child is at most a batch or two ahead and memory stays
    flat. The child's exceptions are raised here; if this side stops
    listening (it failed, or was killed) the child's next send fails and it
    exits. A bare fork, not multiprocessing.Process, which would close the
    child's stdin: the dump may be coming from there.
    """
    receiver, sender = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        try:
            _child_main(generator, receiver, sender)
        finally:
            os._exit(0)  # never run the parent's clean-up code (atexit, finally blocks) here
    sender.close()
    finished = False
    try:
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                raise ChildProcessError("the process reading the dump ended unexpectedly") from None
            if kind == "item":
                yield value
            elif kind == "end":
                finished = True
                return value
            else:
                raise value
    finally:
        receiver.close()
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _child_main(generator, receiver, sender):
    receiver.close()
    # Ctrl-C reaches the whole process group: the parent handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def send(message):
        try:
            sender.send(message)
        except (BrokenPipeError, ConnectionResetError):
            os._exit(0)  # the parent is gone or stopped listening: nobody needs the rest

    try:
        while True:
            try:
                item = next(generator)
            except StopIteration as stop:
                message = ("end", stop.value)
                break
            send(("item", item))
    except BaseException as error:  # re-raised by the parent
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        message = ("error", error)
    send(message)


@contextmanager
def gc_frozen():
    """Keep the objects that exist now out of garbage collections meanwhile.

    An import allocates millions of short-lived objects, which triggers
    collections, and each full one walked everything Django and numpy had
    loaded, in the writing process and in the child (which inherits the
    frozen state when it forks).
    """
    if gc.get_freeze_count():  # someone else froze objects on purpose: leave them be
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def returning(generator, into: list):
    """Iterate over `generator`, then append its return value to `into`."""
    into.append((yield from generator))
