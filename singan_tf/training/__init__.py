"""Training: the per-scale GAN step (step.py) and the run over the scales (loop.py)."""
