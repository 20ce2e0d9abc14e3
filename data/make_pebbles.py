"""Draws data/pebbles.png, the bundled default training image (made by code, no copyright).

A beach of rounded stones: Voronoi cells with per-stone colour, soft shading
towards the cell borders, grain, and sand between stones. Deterministic.

  python data/make_pebbles.py
"""

import os

import numpy as np
from PIL import Image

HEIGHT, WIDTH = 188, 250


def pebbles(seed=7, num_stones=70):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    centers = rng.uniform([0, 0], [HEIGHT, WIDTH], size=(num_stones, 2)).astype(np.float32)
    stretch = rng.uniform(0.7, 1.3, size=(num_stones, 1, 1)).astype(np.float32)
    dist = np.sqrt((yy[None] - centers[:, 0, None, None]) ** 2 * stretch
                   + (xx[None] - centers[:, 1, None, None]) ** 2 / stretch)
    order = np.sort(dist, axis=0)
    nearest = np.argmin(dist, axis=0)
    border = order[1] - order[0]  # distance to the edge between two stones (x2)

    palette = np.array([[128, 122, 115], [160, 150, 135], [95, 92, 90],
                        [175, 160, 140], [120, 105, 90], [140, 140, 145]], np.float32)
    colours = palette[rng.integers(len(palette), size=num_stones)]
    colours += rng.normal(0, 10, size=(num_stones, 1)) + rng.normal(0, 3, size=colours.shape)
    shade = np.clip(border / 12.0, 0, 1) ** 0.5
    light = 0.75 + 0.35 * shade - 0.1 * ((yy - centers[nearest, 0]) / 20.0).clip(-1, 1)
    stone = colours[nearest] * light[..., None]

    sand = np.array([194, 178, 128], np.float32) * (0.85 + 0.15 * rng.random((HEIGHT, WIDTH, 1)))
    is_stone = (border > 2.5)[..., None]
    image = np.where(is_stone, stone, sand)
    image += rng.normal(0, 4, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


if __name__ == "__main__":
    Image.fromarray(pebbles()).save(os.path.join(os.path.dirname(__file__), "pebbles.png"))
