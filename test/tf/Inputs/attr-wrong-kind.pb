
2
aPlaceholder*
dtype0*
shape
:
2
bPlaceholder*
dtype0*
shape
:
.
mmMatMulab*
T0*
transpose_a