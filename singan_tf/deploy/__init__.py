"""Deployment: the SavedModel for TF Serving, TFLite conversion, on-device sampling, clients."""
