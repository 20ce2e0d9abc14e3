"""Files: images in and out, the model directory, and the atomic writer both use."""
