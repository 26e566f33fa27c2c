

cConst*
dtype0

reluReluc*
T0