"""What every entry point shares: user errors become one line on stderr and exit 1."""

import sys

from absl import app

from singan_tf.errors import SinGANError


def run(main):
    """Runs an absl `main`, reporting SinGANError without a traceback."""

    def guarded(argv):
        if len(argv) > 1:
            _fail(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            main(argv)
        except SinGANError as e:
            _fail(str(e))

    app.run(guarded)


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)
