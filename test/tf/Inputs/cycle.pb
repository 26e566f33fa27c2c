
2
xPlaceholder*
dtype0*
shape
:

aAddV2xb*
T0

bRelua*
T0

outSigmoidb*
T0