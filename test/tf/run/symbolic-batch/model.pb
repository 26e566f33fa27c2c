
;
xPlaceholder*
dtype0*
shape:ÿÿÿÿÿÿÿÿÿ

reluRelux*
T0