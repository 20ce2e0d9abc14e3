"""The SavedModel for TF Serving: named signatures over the one generation path.

Every signature takes plain tensors, batch first (one value per image, so TF
Serving's batcher may merge requests), and returns uint8 images, so a REST or
gRPC client needs none of this package. Inputs are checked inside the graph:
a request outside the limits fails with InvalidArgumentError and a message,
never by running out of memory.

Layout written by `save`: EXPORT_DIR/VERSION/saved_model.pb + variables/, the
version directory renamed into place only when complete (TF Serving watches
EXPORT_DIR and would load a half-written one).
"""

import os

import tensorflow as tf

from singan_tf.errors import ConfigError
from singan_tf.io import atomic

MIN_SCALE, MAX_SCALE = 0.25, 8.0


def to_uint8(images):
    """Float [-1, 1] to uint8, the same op sequence as io.images.to_uint8 (bit-identical)."""
    return tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


# Version 2: every input is batch-first (one value per image), so TF Serving's batcher can
# merge requests; version 1 took scale_h, scale_w and start_scale as scalars.
EXPORT_FORMAT = 2


class ServingModule(tf.Module):
    """The exported object: the pyramid's variables; `signatures()` traces the functions.

    The Keras variables are listed explicitly: TF's C++ loader (TF Serving,
    saved_model_cli) only restores variables the object graph tracks, and Keras
    3 models held in a plain tf.Module are not: track their tf.Variables here.
    Every input of every signature has the batch as its first dimension.
    """

    def __init__(self, model, max_batch, max_pixels):
        super().__init__()
        self._model = model
        self.model_variables = [v.value for g in model.generators for v in g.variables]
        self.export_format = tf.constant(EXPORT_FORMAT)
        self.max_batch = int(max_batch)
        self.max_pixels = int(max_pixels)

    def signatures(self):
        """Concrete functions by signature name, each traced once (the .pb stays small)."""
        sample = tf.function(self._sample, input_signature=[
            tf.TensorSpec([None], tf.int64, name="seed"),
            tf.TensorSpec([None], tf.float32, name="scale_h"),
            tf.TensorSpec([None], tf.float32, name="scale_w"),
            tf.TensorSpec([None], tf.int32, name="start_scale")]).get_concrete_function()

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int64, name="seed")])
        def sample_default(seed):
            """`sample` with its defaults: signatures have no optional inputs."""
            ones = tf.ones_like(seed, tf.float32)
            return sample(seed, ones, ones, tf.zeros_like(seed, tf.int32))

        inject = tf.function(self._inject, input_signature=[
            tf.TensorSpec([None, None, None, 3], tf.uint8, name="image"),
            tf.TensorSpec([None], tf.int32, name="start_scale"),
            tf.TensorSpec([None], tf.int64, name="seed")])
        reconstruct = tf.function(self._reconstruct, input_signature=[
            tf.TensorSpec([None], tf.int64, name="seed")])
        return {
            "serving_default": sample_default.get_concrete_function(),
            "sample": sample,
            "inject": inject.get_concrete_function(),
            "reconstruct": reconstruct.get_concrete_function(),
        }

    def _batch_checks(self, count, *inputs):
        """One value per image in every input, at least one image, at most max_batch."""
        checks = [tf.debugging.assert_positive(count, message="a request needs at least one "
                                               "image (one seed)"),
                  tf.debugging.assert_less_equal(
                      count, self.max_batch,
                      message=f"batch (number of images) must be at most {self.max_batch}")]
        for name, value in inputs:
            checks.append(tf.debugging.assert_equal(
                tf.size(value), count, message=f"{name} must hold one value per image"))
        return checks

    def _sample(self, seed, scale_h, scale_w, start_scale):
        model = self._model
        count = tf.size(seed)
        checks = self._batch_checks(count, ("scale_h", scale_h), ("scale_w", scale_w),
                                    ("start_scale", start_scale))
        with tf.control_dependencies(checks):
            sh, sw = scale_h[0], scale_w[0]
        checks = self._check_start_scale(start_scale, 0) + [
            _assert_range(scale_h, "scale_h"), _assert_range(scale_w, "scale_w"),
            tf.debugging.assert_equal(
                tf.logical_and(tf.reduce_all(tf.equal(scale_h, sh)),
                               tf.reduce_all(tf.equal(scale_w, sw))), True,
                message="every image of a request must have the same size: scale_h and "
                        "scale_w the same for all (send other sizes in requests of their own)"),
            tf.debugging.assert_equal(
                tf.reduce_all(tf.logical_or(
                    tf.equal(start_scale, 0),
                    tf.logical_and(tf.equal(sh, 1.0), tf.equal(sw, 1.0)))),
                True, message="start_scale > 0 keeps the training layout: it needs "
                              "scale_h = scale_w = 1"),
        ]
        h, w = model.noise_shapes(1, sh, sw)[-1][1:3]
        checks.append(tf.debugging.assert_less_equal(
            tf.cast(count, tf.int64) * tf.cast(h, tf.int64) * tf.cast(w, tf.int64),
            tf.constant(self.max_pixels, tf.int64),
            message=f"batch x height x width of the output must be at most {self.max_pixels} "
                    f"pixels"))
        with tf.control_dependencies(checks):
            seed = tf.identity(seed)

        def at(s, k, scale_h, scale_w):
            return to_uint8(model.generate(model.seeded_noise(s, scale_h, scale_w), k))[0]

        # At scale 1 the sizes are Python ints, as in singan_tf.sample: TF picks
        # kernels by static shape, and only the same static-shape graph is bit-identical.
        # Images are generated one by one, map_fn running them in parallel: one pyramid
        # run on the whole batch was only 7 % faster on CPU (demo model, batch 8) and
        # rounds an ulp apart from a lone sample now and then.
        unit = tf.logical_and(tf.equal(sh, 1.0), tf.equal(sw, 1.0))

        def one(args):
            s, k = args
            return tf.cond(unit, lambda: at(s, k, 1.0, 1.0), lambda: at(s, k, sh, sw))

        images = tf.map_fn(one, (seed, start_scale),
                           fn_output_signature=tf.TensorSpec([None, None, 3], tf.uint8))
        return {"images": images}

    def _inject(self, image, start_scale, seed):
        model = self._model
        count = tf.shape(image)[0]
        size = tf.cast(tf.shape(image)[1], tf.int64) * tf.cast(tf.shape(image)[2], tf.int64)
        checks = self._batch_checks(count, ("start_scale", start_scale), ("seed", seed))
        checks += self._check_start_scale(start_scale, 1) + [
            tf.debugging.assert_less_equal(
                tf.cast(count, tf.int64) * size, tf.constant(self.max_pixels, tf.int64),
                message=f"batch x height x width of the images must be at most "
                        f"{self.max_pixels} pixels"),
            tf.debugging.assert_positive(size, message="image is empty")]
        with tf.control_dependencies(checks):
            injected = tf.cast(image, tf.float32) / 127.5 - 1.0

        def one(args):
            picture, k, s = args
            noise = model.seeded_noise(s)
            branches = [lambda k=k: model.generate(noise, k, prev=model.injection(
                picture[None], k))[0] for k in range(1, model.num_scales)]
            return to_uint8(tf.switch_case(k - 1, branches))

        images = tf.map_fn(one, (injected, start_scale, seed),
                           fn_output_signature=tf.TensorSpec([None, None, 3], tf.uint8))
        return {"images": images}

    def _reconstruct(self, seed):
        """The reconstruction once per entry of `seed` (unused: it has no noise; the input
        gives the request its batch)."""
        with tf.control_dependencies(self._batch_checks(tf.size(seed))):
            reconstruction = to_uint8(self._model.reconstruct())
        return {"images": tf.repeat(reconstruction, tf.size(seed), axis=0)}

    def _check_start_scale(self, start_scale, lowest):
        top = self._model.num_scales - 1
        message = f"start_scale must be in {lowest}..{top}"
        return [tf.debugging.assert_greater_equal(start_scale, lowest, message=message),
                tf.debugging.assert_less_equal(start_scale, top, message=message)]


def _assert_range(value, name):
    return tf.debugging.assert_equal(
        tf.reduce_all(tf.logical_and(value >= MIN_SCALE, value <= MAX_SCALE)), True,
        message=f"{name} must be in [{MIN_SCALE}, {MAX_SCALE}]")


def next_version(export_dir):
    """One above the highest numeric version in `export_dir` (1 when there is none)."""
    if not os.path.isdir(export_dir):
        return 1
    versions = [int(e) for e in os.listdir(export_dir) if e.isdigit()]
    return max(versions, default=0) + 1


def save(model, export_dir, version=None, max_batch=16, max_pixels=4_194_304):
    """Writes EXPORT_DIR/VERSION; refuses an existing version. Returns the version's path."""
    version = next_version(export_dir) if version is None else int(version)
    if version < 1:
        raise ConfigError(f"version must be a positive integer, got {version}")
    final = os.path.join(export_dir, str(version))
    if os.path.exists(final):
        raise ConfigError(f"version {version} already exists: {final} (versions are never overwritten)")
    try:
        os.makedirs(export_dir, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(export_dir, e) from e
    module = ServingModule(model, max_batch, max_pixels)
    with atomic.replacing_dir(final) as partial:
        try:
            tf.saved_model.save(module, partial, signatures=module.signatures())
        except (OSError, tf.errors.OpError) as e:
            raise atomic.write_error(final, e) from e
    return final
