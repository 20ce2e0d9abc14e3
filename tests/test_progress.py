"""The progress bar: a line every 5 % when the output is not a terminal."""

import io

from singan_tf.progress import ProgressBar


def test_progress_off_a_terminal_is_a_line_every_five_percent():
    stream = io.StringIO()
    bar = ProgressBar(200, stream=stream, unit="iter")
    for i in range(200):
        bar.update(i + 1, {"loss_d": -0.5, "rec": 0.25})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 21  # at 1, 11, 21, ... 191, and the last
    assert lines[-1].startswith("  200/200 (100%)") and "loss_d -0.5000 rec 0.2500" in lines[-1]
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
