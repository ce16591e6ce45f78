"""Start, watch and stop the long-running service processes of a local cloud.

Every service runs in its own session (``setsid``), so its process group id is
its pid: stopping the group stops the service and any worker it forked, and
nothing else. The pid is written to a file so that another process (the
``stop`` command) can stop it later.
"""
import logging
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOG = logging.getLogger(__name__)


class ServiceError(RuntimeError):
    """A service did not start, or died while starting."""


def spawn(name, argv, pid_dir, log_dir, env=None):
    """Start ``argv`` in a new session; output to log_dir/<name>.out.

    Returns the Popen.
    """
    pid_dir, log_dir = Path(pid_dir), Path(log_dir)
    with open(log_dir / f'{name}.out', 'ab') as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    (pid_dir / f'{name}.pid').write_text(str(proc.pid))
    LOG.debug('started %s (pid %d): %s', name, proc.pid, ' '.join(argv))
    return proc


def wait_until_answering(name, url, proc, timeout, log_file=None):
    """Poll ``url`` every 0.1 s until it answers below 500.

    Fails at once if ``proc`` dies, or after ``timeout`` s.
    """
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServiceError(f'{name} exited with {proc.returncode} while '
                               f'starting{_tail(log_file)}')
        if _answers(url):
            return
        if time.monotonic() > deadline:
            raise ServiceError(f'{name} not answering on {url} after '
                               f'{timeout} s{_tail(log_file)}')
        time.sleep(0.1)


def running_pid(pid_file, must_contain):
    """The pid in ``pid_file`` if that process still runs and is ours, else None.

    ``must_contain`` is a string of its command line (the run directory): a pid
    recycled by an unrelated process must never be signalled.
    """
    try:
        pid = int(Path(pid_file).read_text())
        cmdline = Path(f'/proc/{pid}/cmdline').read_bytes().replace(b'\0', b' ')
    except (OSError, ValueError):
        return None
    return pid if must_contain.encode() in cmdline else None


def stop(name, pid_file, must_contain, term_timeout=10.0):
    """SIGTERM the service's process group, then SIGKILL it after ``term_timeout`` s."""
    pid = running_pid(pid_file, must_contain)
    if pid is not None:
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + term_timeout
        while _group_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(pid):
            LOG.warning('%s (pid %d) ignored SIGTERM for %.0f s; killing its '
                        'process group', name, pid, term_timeout)
            _signal_group(pid, signal.SIGKILL)
        LOG.info('stopped %s (pid %d)', name, pid)
    Path(pid_file).unlink(missing_ok=True)


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError as e:
        return e.code < 500
    except OSError:  # refused, reset, timed out: not serving yet
        return False


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pgid):
    # Reap our own child first, or it lingers as a zombie and looks alive.
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _tail(log_file, lines=30):
    if not log_file or not Path(log_file).exists():
        return ''
    text = Path(log_file).read_text(errors='replace').splitlines()[-lines:]
    return f'; last lines of {log_file}:\n' + '\n'.join(text)
