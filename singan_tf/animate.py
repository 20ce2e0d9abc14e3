"""Animates the training image: a looping GIF of a random walk in noise space.

  python -m singan_tf.animate --model_dir=DIR --out=ANIM.gif [--frames=100 --fps=10
      --alpha=0.1 --beta=0.9 --start_scale=0] [--frames_dir=DIR]

Each scale's noise walks around the reconstruction noise (beta: momentum,
alpha: pull back to it); below --start_scale the reconstruction is kept, so
higher start scales move only finer detail. The GIF loops forever; with
--frames_dir the frames are also written as frame_000.png, ...
"""

from absl import flags

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model directory.", flag_values=FLAGS)
flags.DEFINE_string("out", None, "Where the animated GIF is written (.gif).", flag_values=FLAGS)
flags.DEFINE_string("frames_dir", None, "Also write the frames as numbered PNGs here.",
                    flag_values=FLAGS)
flags.DEFINE_integer("frames", 100, "Number of frames (at least 2).", flag_values=FLAGS)
flags.DEFINE_float("fps", 10.0, "Frames per second.", flag_values=FLAGS)
flags.DEFINE_float("alpha", 0.1, "Pull of the walk back to the reconstruction noise (0..1).",
                   flag_values=FLAGS)
flags.DEFINE_float("beta", 0.9, "Momentum of the walk (0..1; 0.8-0.95 in the reference).",
                   flag_values=FLAGS)
flags.DEFINE_integer("start_scale", 0, "First scale whose noise moves (0..N).", flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the walk.", flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "out"], flag_values=FLAGS)


def main():
    from singan_tf.apps import animation  # TensorFlow loads here
    from singan_tf.io import atomic
    from singan_tf.io.model_dir import ModelDir

    animation.check_gif_path(FLAGS.out)
    if FLAGS.frames_dir:
        atomic.check_writable_dir(FLAGS.frames_dir)
    model, _ = ModelDir(FLAGS.model_dir).load()
    animation.check_settings(FLAGS.frames, FLAGS.fps, FLAGS.alpha, FLAGS.beta, FLAGS.start_scale,
                             model.num_scales)
    frames = animation.animate(model, FLAGS.frames, FLAGS.alpha, FLAGS.beta, FLAGS.start_scale,
                               FLAGS.seed)
    animation.save_gif(frames, FLAGS.out, FLAGS.fps)
    if FLAGS.frames_dir:
        animation.save_frames(frames, FLAGS.frames_dir)
    print(f"{FLAGS.frames} frames written to {FLAGS.out}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
