
,
xPlaceholder*
dtype0*
shape:

reluRelux*
T0