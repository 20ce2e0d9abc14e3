"""The errors a user can cause: the commands print them as one line."""


class SinGANError(Exception):
    """Base class for problems with the user's input, reported without a traceback."""


class ImageError(SinGANError):
    """An image file that is missing, unreadable or unusable."""


class ConfigError(SinGANError):
    """A hyperparameter or option that cannot work."""


class ModelDirError(SinGANError):
    """A model directory that is missing, incomplete, foreign, locked or in the way."""


class WriteError(SinGANError):
    """An output that could not be written (no space left, permission denied, ...)."""


class ServingError(SinGANError):
    """A model server that cannot be reached or refuses a request."""


class TrainingInterrupted(SinGANError):
    """Training stopped by a signal; a checkpoint was saved for --resume."""


class TrainingDiverged(SinGANError):
    """A scale kept producing NaN or Inf after the allowed retries."""
