
:
xPlaceholder*
dtype0*
shape:
V
poolMaxPoolx*
T0*
ksize
*
paddingVALID*
strides
