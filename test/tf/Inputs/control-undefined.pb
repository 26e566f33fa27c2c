
2
xPlaceholder*
dtype0*
shape
:

reluRelux^init*
T0