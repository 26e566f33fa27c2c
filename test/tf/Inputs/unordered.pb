

outIdentitysig*
T0

sigSigmoidr6*
T0

r6Relu6x*
T0
2
xPlaceholder*
dtype0*
shape
:
3
unusedPlaceholder*
dtype0*
shape:

deadFooBarunused