
.
xPlaceholder*
dtype0*
shape:

idIdentityx*
T0