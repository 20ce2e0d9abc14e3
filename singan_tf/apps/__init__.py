"""The applications of one trained pyramid, each a use of `SinGAN.generate`.

One module per application (super_resolution, paint, harmonize, edit,
animation) plus what they share: `inputs` fits user images and masks to the
model, `masks` turns a mask into the soft blend weight.
"""
