"""What the commands share: their flags, the process set-up, and user errors as one line.

A command (`python -m singan_tf.NAME`) defines its flags on a FlagValues of its
own (`flag_values()`), so that several commands' `main` can run in one process
(the tests do); imports TensorFlow only inside `main`, so that `--help`
answers at once; and ends with `cli.run(main, FLAGS)`.

Before `main` runs, TF_ENABLE_ONEDNN_OPTS=1 is set unless the environment
sets it: oneDNN's CPU kernels, which TensorFlow leaves off on some CPUs (AMD),
train 1.3-1.8x faster (docs/performance.md). While it runs, the notices
TensorFlow's C++ runtime writes to stderr (the oneDNN notice, the CPU feature
list, the TFLite converter's log) are held back; --verbose shows them. Our own
warnings and errors, and TensorFlow's Python warnings, come through.
"""

import contextlib
import dataclasses
import os
import re
import sys
import threading

from absl import flags

from singan_tf.config import TrainConfig
from singan_tf.errors import SinGANError

_HELP = ("--help", "-h", "--helpshort", "--helpfull", "-?")
_DEFINE = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_bool,
           str: flags.DEFINE_string}


def flag_values():
    """A command's own flags, starting with --verbose."""
    values = flags.FlagValues()
    flags.DEFINE_bool("verbose", False, "Show TensorFlow's log and the traceback of an error, "
                      "not only its message.", flag_values=values)
    return values


def define_config_flags(values):
    """One flag per TrainConfig field, defaulting to the official value (commands that train)."""
    for field in dataclasses.fields(TrainConfig):
        _DEFINE[field.type](field.name, field.default, field.metadata["help"], flag_values=values)


def config_from_flags(values):
    """The TrainConfig the flags describe (validated: a bad value raises ConfigError)."""
    return TrainConfig(**{f.name: values[f.name].value for f in dataclasses.fields(TrainConfig)})


def given_config(values):
    """The config values given explicitly (command line or flagfile), by name."""
    return {f.name: values[f.name].value for f in dataclasses.fields(TrainConfig)
            if values[f.name].present}


def read_flagfile(path, values):
    """Parses a flagfile into `values` (a FlagValues with the flags it sets), as a command would."""
    values.unparse_flags()
    values(["flagfile_reader", f"--flagfile={path}"])
    return values


def run(main, values):
    """The `__main__` of a command: runs `main` and exits with its status."""
    sys.exit(execute(main, values, sys.argv))


def execute(main, values, argv):
    """Parses `argv` into `values` and calls `main()`; returns the exit status.

    A flag that cannot be parsed or a SinGANError is printed as one
    `error: ...` line on stderr and gives status 1 (with --verbose a
    SinGANError is raised, traceback and all).
    """
    if any(arg in _HELP for arg in argv[1:]):
        print(_usage(main, values))
        return 0
    values.unparse_flags()
    try:
        extra = values(argv)[1:]
    except flags.Error as e:
        return _fail(str(e).replace("\n", "; "))
    if extra:
        return _fail(f"unexpected arguments: {' '.join(extra)}")
    flags.FLAGS.mark_as_parsed()  # absl logging reads its own (global) flags
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # before TensorFlow loads
    try:
        with contextlib.nullcontext() if values.verbose else _runtime_notices_hidden():
            main()
    except SinGANError as e:
        if values.verbose:
            raise
        return _fail(str(e))
    return 0


# What TensorFlow's C++ runtime and LiteRT write before absl logging is initialized: lines
# dated 0000 ("I0000 00:00:1796162477.240354 ..."), the line that says so, the CPU feature
# list's second line, LiteRT's delegate notice. Python's absl lines carry a real date.
_NOTICE = re.compile(rb"[IW]0000 00:00:|WARNING: All log messages before absl::InitializeLog|"
                     rb"To enable the following instructions|INFO: Created TensorFlow Lite")


@contextlib.contextmanager
def _runtime_notices_hidden():
    """Runs the block with file descriptor 2 going through a filter that drops the notices."""
    sys.stderr.flush()
    try:
        real = os.dup(2)
    except OSError:  # no stderr to filter
        yield
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    out = os.fdopen(os.dup(real), "wb", 0)

    def forward():
        with os.fdopen(read_end, "rb") as pipe, out:
            for line in pipe:
                if not _NOTICE.match(line):
                    out.write(line)

    thread = threading.Thread(target=forward, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(real, 2)  # closes the pipe's last write end: the filter reads to its end
        os.close(real)
        thread.join(timeout=10)


def _usage(main, values):
    doc = sys.modules[main.__module__].__doc__ or ""
    return f"{doc.strip()}\n\nflags:\n{values.get_help()}"


def _fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    return 1
