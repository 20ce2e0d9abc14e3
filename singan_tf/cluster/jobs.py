"""The images of a many-image run, each with the model directory it trains into.

A model directory is named after its image's file name without the extension
(`DIR/zebra/` for `zebra.png`). Images whose names collide (`a/x.png` and
`b/x.png`, or `x.png` and `x.jpg`) are named by their path below the folder they
share instead (`a_x_png`, `b_x_png`), so two images never write into one
directory. Names keep to letters, digits, `_` and `-`, which TF Serving's
model names also accept (`export --models=DIR/*`).
"""

import collections
import os
import re

from singan_tf.errors import ConfigError
from singan_tf.io import images

Job = collections.namedtuple("Job", "name image model_dir")


def find_jobs(pattern, out_dir):
    """One Job per image that `pattern` (a folder or a glob) names, sorted by path."""
    paths = [os.path.abspath(p) for p in images.find_images(pattern)]
    return [Job(name, path, os.path.join(out_dir, name))
            for name, path in zip(unique_names(paths), paths)]


def unique_names(paths):
    """A distinct folder name for each of `paths` (see the module docstring)."""
    stems = [_safe(os.path.splitext(os.path.basename(p))[0]) for p in paths]
    counts = collections.Counter(stems)
    common = os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else ""
    names = [stem if counts[stem] == 1 else _safe(os.path.relpath(path, common))
             for stem, path in zip(stems, paths)]
    seen = {}
    for name, path in zip(names, paths):
        if name in seen:
            raise ConfigError(f"{seen[name]} and {path} would both train into {name}/: "
                              f"rename one of them")
        seen[name] = path
    return names


def _safe(text):
    """`text` with every character but letters, digits, `_` and `-` made `_`."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text).lstrip("_-") or "image"
