
;
xPlaceholder*
dtype0*
shape:þÿÿÿÿÿÿÿÿ

reluRelux*
T0