"""Which images a many-image run trains, and the distinct model directory each gets."""

import os

import pytest

from conftest import make_tiny_image, write_png
from singan_tf.cluster import jobs
from singan_tf.errors import ConfigError, ImageError


def test_a_name_is_the_file_name_without_its_extension():
    assert jobs.unique_names(["/d/zebra.png", "/d/my photo.v2.jpg"]) == ["zebra", "my_photo_v2"]


def test_colliding_names_are_named_by_their_path_below_the_shared_folder():
    paths = ["/d/a/x.png", "/d/b/x.png", "/d/x.jpg", "/d/y.png"]
    assert jobs.unique_names(paths) == ["a_x_png", "b_x_png", "x_jpg", "y"]


def test_names_that_still_collide_are_refused():
    with pytest.raises(ConfigError, match="would both train into a_b_x_png/"):
        jobs.unique_names(["/d/a_b/x.png", "/d/a/b/x.png"])


def test_folder_and_recursive_glob(tmp_path):
    for path in ["a/x.png", "b/x.png", "c.png"]:
        os.makedirs(tmp_path / os.path.dirname(path), exist_ok=True)
        write_png(make_tiny_image(), tmp_path / path)
    (tmp_path / "notes.txt").write_text("not an image")
    out = str(tmp_path / "out")
    assert [j.name for j in jobs.find_jobs(str(tmp_path), out)] == ["c"]
    found = jobs.find_jobs(str(tmp_path / "**" / "*.png"), out)
    assert [j.name for j in found] == ["a_x_png", "b_x_png", "c"]
    assert len({j.model_dir for j in found}) == 3
    assert found[0].model_dir == os.path.join(out, "a_x_png")
    assert found[0].image == str(tmp_path / "a" / "x.png")


def test_no_images_is_an_error(tmp_path):
    with pytest.raises(ImageError, match="no images found"):
        jobs.find_jobs(str(tmp_path / "*.png"), str(tmp_path / "out"))
