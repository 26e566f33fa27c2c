

xPlaceholder*
dtype0

reluRelux*
T0