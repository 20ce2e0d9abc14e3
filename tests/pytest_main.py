"""Runs pytest on the files given as arguments: the `main` of each Bazel py_test."""

import sys

import pytest

if __name__ == "__main__":
    sys.exit(pytest.main(["-q", "-n", "0", *sys.argv[1:]]))  # Bazel runs the modules in parallel
