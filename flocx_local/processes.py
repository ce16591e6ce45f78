"""Start, watch and stop the long-running service processes of a local cloud.

Every service runs in its own session (``setsid``), so its process group id is
its pid: stopping the group stops the service and any worker it forked, and
nothing else. The pid is written to a file so that another process (the
``stop`` command) can stop it later.
"""
import logging
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOG = logging.getLogger(__name__)


class ServiceError(RuntimeError):
    """A service did not start, or died while starting.

    The message is one line; ``log_file`` is where the whole story is.
    """

    def __init__(self, message, log_file=None):
        super().__init__(message)
        self.log_file = log_file


# The last line of a Python traceback ("ModuleNotFoundError: No module
# named 'psycopg2'"), alone or after an oslo.log prefix.
_EXCEPTION_LINE = re.compile(
    r'(?:^|\s)((?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*'
    r'(?:Error|Exception|Exit|Failure|Timeout|Refused|NotFound)(?::\s.*)?)$')
_LOG_LEVEL = re.compile(r'\s(?:ERROR|CRITICAL)\s+\S+\s+(?:\[[^]]*\]\s*)?(.*)$')


def last_error(*log_files):
    """The one line that says what went wrong, from the first log that has one.

    The last exception line of a traceback if there is one, else the last
    ERROR or CRITICAL message, else the last line.
    """
    for log_file in log_files:
        if not log_file or not Path(log_file).exists():
            continue
        lines = [line.strip() for line in Path(log_file).read_text(
            errors='replace').splitlines() if line.strip()]
        for pattern in (_EXCEPTION_LINE, _LOG_LEVEL):
            for line in reversed(lines):
                found = pattern.search(line)
                if found and found.group(1).strip():
                    return found.group(1).strip()
        if lines:
            return lines[-1]
    return 'no error message (the log is empty)'


def spawn(name, argv, pid_dir, log_dir, env=None):
    """Start ``argv`` in a new session; output to log_dir/<name>.out.

    Returns the Popen.
    """
    pid_dir, log_dir = Path(pid_dir), Path(log_dir)
    with open(log_dir / f'{name}.out', 'ab') as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    proc.flocx_out_file = log_dir / f'{name}.out'
    (pid_dir / f'{name}.pid').write_text(str(proc.pid))
    LOG.debug('started %s (pid %d): %s', name, proc.pid, ' '.join(argv))
    return proc


def wait_until_answering(name, url, proc, timeout, log_file=None):
    """Poll ``url`` every 0.1 s until it answers below 500.

    Fails at once if ``proc`` dies, or after ``timeout`` s, with the error
    found in the service's log (or its output, log_dir/<name>.out).
    """
    out_file = _out_file(proc)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServiceError(
                f'{name} exited with {proc.returncode} while starting: '
                f'{last_error(out_file, log_file)}',
                _which_log(out_file, log_file))
        if _answers(url):
            return
        if time.monotonic() > deadline:
            raise ServiceError(
                f'{name} not answering on {url} after {timeout} s: '
                f'{last_error(log_file, out_file)}',
                _which_log(log_file, out_file))
        time.sleep(0.1)


def _out_file(proc):
    return getattr(proc, 'flocx_out_file', None)


def _which_log(*log_files):
    """The first of the logs that says something."""
    for log_file in log_files:
        if log_file and Path(log_file).exists() and \
                Path(log_file).stat().st_size:
            return log_file
    return next((f for f in log_files if f), None)


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


class Stopped:
    """What stop() did: pid (None if it was not running), seconds, killed."""

    def __init__(self, name, pid=None, seconds=0.0, killed=False):
        self.name, self.pid, self.seconds, self.killed = (name, pid, seconds,
                                                          killed)

    def __str__(self):
        if self.pid is None:
            return f'{self.name} was not running'
        if self.killed:
            return (f'{self.name} (pid {self.pid}) ignored SIGTERM; killed '
                    f'after {self.seconds:.1f} s')
        return f'stopped {self.name} (pid {self.pid}) in {self.seconds:.1f} s'


def stop(name, pid_file, must_contain, term_timeout=10.0,
         master_of_workers=False):
    """SIGTERM the service's process group, then SIGKILL it after ``term_timeout`` s.

    ``master_of_workers``: the service's first process only supervises its
    workers (Ironic's cotyledon master): once they have stopped, it is
    killed rather than waited for while the interpreter tears itself down
    (seconds on a loaded machine).

    Returns a Stopped.
    """
    pid = running_pid(pid_file, must_contain)
    result = Stopped(name, pid)
    if pid is not None:
        started = time.monotonic()
        had_workers = master_of_workers and len(_group_members(pid)) > 1
        _signal_group(pid, signal.SIGTERM)
        deadline = started + term_timeout
        while _group_alive(pid) and time.monotonic() < deadline:
            if had_workers and _group_members(pid) == [pid]:
                _signal_group(pid, signal.SIGKILL)
            time.sleep(0.05)
        if _group_alive(pid):
            LOG.warning('%s (pid %d) ignored SIGTERM for %.0f s; killing its '
                        'process group', name, pid, term_timeout)
            _signal_group(pid, signal.SIGKILL)
            result.killed = True
        result.seconds = time.monotonic() - started
        LOG.info('%s', result)
    Path(pid_file).unlink(missing_ok=True)
    return result


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
    """Whether a process of the group still runs (a zombie does not).

    A service's processes are not our children once the ``up`` that started
    them has exited: whoever adopts them reaps them when it gets to it (in
    a container, maybe seconds later), and killpg(pgid, 0) succeeds on
    zombies.
    """
    # Reap our own child first, or it lingers as a zombie.
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return bool(_group_members(pgid))


def _group_members(pgid):
    """The pids of the group's processes that are not zombies."""
    return [pid for pid in _pids() if _pgid_and_state(pid) == (pgid, True)]


def _pids():
    return [int(entry) for entry in os.listdir('/proc') if entry.isdigit()]


def _pgid_and_state(pid):
    """(process group id, not a zombie) of a process, from /proc."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: split after it.
    fields = stat[stat.rindex(')') + 2:].split()
    return int(fields[2]), fields[0] != 'Z'
