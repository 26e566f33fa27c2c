
2
xPlaceholder*
dtype0*
shape
:

addAddV2xy*
T0