"""Trains a SinGAN on one image.

  python -m singan_tf.train --image=PATH --model_dir=DIR [--flagfile=flags/quick.cfg]

Every hyperparameter defaults to the official SinGAN value (flags/official.cfg
states them all). The model directory is written scale by scale; TensorBoard
summaries go to DIR/logs.
"""

from absl import flags

from singan_tf import cli, imageio, model_dir as model_dir_lib, trainer
from singan_tf.config import TrainConfig

_DEFAULT = TrainConfig()

flags.DEFINE_string("image", None, "Training image (any format Pillow reads).")
flags.DEFINE_string("model_dir", None, "Where the trained model is written.")
flags.DEFINE_bool("overwrite", False, "Replace a model already in --model_dir.")
flags.DEFINE_integer("log_every", 10, "Iterations between TensorBoard loss summaries.")
flags.DEFINE_bool("progress", True, "Show a progress bar per scale.")

flags.DEFINE_integer("max_size", _DEFAULT.max_size, "Longer side of the finest scale (px).")
flags.DEFINE_integer("min_size", _DEFAULT.min_size, "Shorter side of the coarsest scale (px).")
flags.DEFINE_float("scale_factor", _DEFAULT.scale_factor,
                   "Nominal ratio between scales; the ratio used is derived from it.")
flags.DEFINE_integer("niter", _DEFAULT.niter, "Iterations per scale (each dsteps + gsteps).")
flags.DEFINE_integer("nfc", _DEFAULT.nfc, "Channels at the coarsest scales.")
flags.DEFINE_integer("min_nfc", _DEFAULT.min_nfc, "Fewest channels of a body block.")
flags.DEFINE_integer("max_nfc", _DEFAULT.max_nfc, "Cap on channels as they double every 4 scales.")
flags.DEFINE_integer("num_layer", _DEFAULT.num_layer, "Convolutions per network.")
flags.DEFINE_integer("ker_size", _DEFAULT.ker_size, "Convolution kernel size.")
flags.DEFINE_float("lr_g", _DEFAULT.lr_g, "Generator learning rate (Adam).")
flags.DEFINE_float("lr_d", _DEFAULT.lr_d, "Critic learning rate (Adam).")
flags.DEFINE_float("beta1", _DEFAULT.beta1, "Adam beta1.")
flags.DEFINE_float("gamma", _DEFAULT.gamma, "Learning-rate factor at lr_milestone.")
flags.DEFINE_integer("lr_milestone", _DEFAULT.lr_milestone, "Iteration at which rates drop.")
flags.DEFINE_integer("dsteps", _DEFAULT.dsteps, "Critic steps per iteration.")
flags.DEFINE_integer("gsteps", _DEFAULT.gsteps, "Generator steps per iteration.")
flags.DEFINE_float("lambda_grad", _DEFAULT.lambda_grad, "Gradient-penalty weight.")
flags.DEFINE_float("alpha", _DEFAULT.alpha, "Reconstruction-loss weight.")
flags.DEFINE_float("noise_amp", _DEFAULT.noise_amp, "Noise amplitude relative to the RMSE.")
flags.DEFINE_integer("seed", _DEFAULT.seed, "Random seed.")

flags.mark_flags_as_required(["image", "model_dir"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    config = TrainConfig(**{name: FLAGS[name].value for name in TrainConfig().to_dict()})
    image = imageio.load_image(FLAGS.image)
    model_dir_lib.prepare(FLAGS.model_dir, overwrite=FLAGS.overwrite)
    trainer.train(image, config, FLAGS.model_dir, image_path=FLAGS.image,
                  progress=FLAGS.progress, log_every=FLAGS.log_every)
    print(f"Model written to {FLAGS.model_dir}")


if __name__ == "__main__":
    cli.run(main)
