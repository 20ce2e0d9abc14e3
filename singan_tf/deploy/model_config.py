"""TF Serving's models.config: every exported model under one folder, served by name.

TF Serving reads a `model_config_list` (text protobuf) with `--model_config_file`;
each entry names a model and the base path that holds its numbered versions.
The list is made from what is on disk (every folder with a complete version),
so exporting one more model and writing the file again adds it.
"""

import os
import re

from singan_tf.errors import ConfigError
from singan_tf.io import atomic

FILE_NAME = "models.config"
# TF Serving puts the name in a URL (/v1/models/NAME): keep it to a path segment's safe letters.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(name):
    """Refuses a model name TF Serving's REST path could not carry."""
    if not _NAME.match(name):
        raise ConfigError(f"model name {name!r} cannot be served: use letters, digits, '_', "
                          f"'.' and '-', starting with a letter or digit")
    return name


def exported_models(export_root):
    """Names of the folders under `export_root` holding at least one complete version."""
    names = []
    for name in sorted(os.listdir(export_root)):
        base = os.path.join(export_root, name)
        if os.path.isdir(base) and _NAME.match(name) and any(
                v.isdigit() and os.path.isfile(os.path.join(base, v, "saved_model.pb"))
                for v in os.listdir(base)):
            names.append(name)
    return names


def render(names, serving_root):
    """The text protobuf of a model_config_list; base paths under `serving_root`."""
    entries = "".join(
        "  config {\n"
        f"    name: '{name}'\n"
        f"    base_path: '{serving_root.rstrip('/')}/{name}'\n"
        "    model_platform: 'tensorflow'\n"
        "  }\n" for name in names)
    return "model_config_list {\n" + entries + "}\n"


def write(export_root, serving_root=None):
    """Writes EXPORT_ROOT/models.config for every exported model; returns (path, names).

    `serving_root` is where the server sees `export_root` (a container's mount,
    say); by default its absolute path here.
    """
    names = exported_models(export_root)
    if not names:
        raise ConfigError(f"no exported model under {export_root}")
    path = os.path.join(export_root, FILE_NAME)
    with atomic.open_replacing(path) as f:
        f.write(render(names, serving_root or os.path.abspath(export_root)))
    return path, names
