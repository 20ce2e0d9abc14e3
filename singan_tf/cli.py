"""What every entry point shares: user errors (flags included) become one line on stderr, exit 1."""

import sys

from absl import app, flags

from singan_tf.errors import SinGANError


flags.DEFINE_bool("verbose", False, "Show the traceback of an error, not only its message.")


def run(main):
    """Runs an absl `main`, reporting SinGANError without a traceback (unless --verbose)."""

    def guarded(argv):
        if len(argv) > 1:
            _fail(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            main(argv)
        except SinGANError as e:
            if flags.FLAGS.verbose:
                raise
            _fail(str(e))

    app.run(guarded, flags_parser=_parse_flags)


def _parse_flags(argv):
    try:
        return flags.FLAGS(argv)
    except flags.Error as e:
        _fail(str(e).replace("\n", "; "))


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)
