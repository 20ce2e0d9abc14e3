"""A py_runtime toolchain for the Python that has the project's packages installed.

Tests import TensorFlow, Keras, pytest, ... from that interpreter, so it is an
absolute path found when the workspace loads: $SINGAN_PYTHON, else python3 on PATH.
"""

def _local_python_impl(ctx):
    python = ctx.os.environ.get("SINGAN_PYTHON") or ctx.which("python3")
    if not python:
        fail("no Python: set SINGAN_PYTHON to the interpreter with singan_tf's packages")
    ctx.file("BUILD", """
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

py_runtime(
    name = "runtime",
    interpreter_path = "{python}",
    python_version = "PY3",
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":runtime",
)

toolchain(
    name = "toolchain",
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)
""".format(python = python))

local_python = repository_rule(
    implementation = _local_python_impl,
    environ = ["SINGAN_PYTHON", "PATH"],
    local = True,
)
