"""Many images at once: one model per image, trained as tasks of Ray (singan_tf.train_many)."""
