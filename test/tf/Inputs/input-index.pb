
2
xPlaceholder*
dtype0*
shape
:

reluRelux:3*
T0