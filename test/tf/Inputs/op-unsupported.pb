
2
xPlaceholder*
dtype0*
shape
:

fooFooBarx*
T0