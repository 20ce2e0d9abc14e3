"""What the commands share: fast help without TensorFlow, one-line errors, quiet start-up."""

import os
import subprocess
import sys
import textwrap

from absl import flags

from conftest import REPO, Result, assert_one_line_error
from singan_tf import cli
from singan_tf.errors import ConfigError

COMMANDS = ["train", "sample", "evaluate", "super_resolve", "paint2image", "harmonize", "edit",
            "animate", "export", "tflite_sample", "serving_client", "train_many"]


def test_every_command_answers_help_at_once_without_tensorflow():
    script = textwrap.dedent(f"""
        import contextlib, importlib, io, sys, time
        sys.modules["tensorflow"] = None  # importing it fails
        from singan_tf import cli
        for name in {COMMANDS!r}:
            start = time.perf_counter()
            module = importlib.import_module("singan_tf." + name)
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                assert cli.execute(module.main, module.FLAGS, [name, "--help"]) == 0
            assert module.__doc__.strip().splitlines()[0] in text.getvalue(), name
            assert "--[no]verbose" in text.getvalue(), name
            assert time.perf_counter() - start < 1.0, name
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=REPO), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def command_flags():
    values = cli.flag_values()
    flags.DEFINE_integer("count", 1, "How many.", lower_bound=1, flag_values=values)
    return values


def test_flag_and_user_errors_are_one_line(capsys):
    values = command_flags()
    calls = []

    def main():
        calls.append(values.count)
        if values.count == 3:
            raise ConfigError("three is not allowed")

    for argv, message in [(["x", "--count=0"], "--count=0"),
                          (["x", "--nope"], "nope"),
                          (["x", "stray"], "unexpected arguments: stray"),
                          (["x", "--count=3"], "error: three is not allowed")]:
        code = cli.execute(main, values, argv)
        assert_one_line_error(Result(code, "", capsys.readouterr().err), message)
    assert calls == [3]
    assert cli.execute(main, values, ["x"]) == 0 and calls == [3, 1]  # defaults come back


def test_runtime_notices_are_held_back_and_everything_else_passes(capfd):
    def main():
        os.write(2, b"I0000 00:00:1796162477.240354    3328 port.cc:153] oneDNN custom ops\n"
                    b"WARNING: All log messages before absl::InitializeLog() is called ...\n"
                    b"To enable the following instructions: AVX2, in other operations\n"
                    b"W0000 00:00:1796163171.698722    4811 helpers.cc:364] Ignored output\n"
                    b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
                    b"W1201 10:00:00.000000 1 loop.py:50] scale 3: non-finite loss\n"
                    b"E0000 00:00:1796163171.698722 1 op.cc:1] a real error\n")

    values = cli.flag_values()
    assert cli.execute(main, values, ["x"]) == 0
    assert capfd.readouterr().err.splitlines() == [
        "W1201 10:00:00.000000 1 loop.py:50] scale 3: non-finite loss",
        "E0000 00:00:1796163171.698722 1 op.cc:1] a real error"]
    assert cli.execute(main, values, ["x", "--verbose"]) == 0
    assert len(capfd.readouterr().err.splitlines()) == 7
