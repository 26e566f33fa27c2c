
.
aPlaceholder*
dtype0*
shape:
.
bPlaceholder*
dtype0*
shape:

divDivab*
T0