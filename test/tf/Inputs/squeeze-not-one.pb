
2
xPlaceholder*
dtype0*
shape
:
0
sqSqueezex*
T0*
squeeze_dims
