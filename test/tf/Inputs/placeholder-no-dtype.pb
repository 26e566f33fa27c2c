
%
xPlaceholder*
shape
:

reluRelux*
T0