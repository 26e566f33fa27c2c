# cmake -DIN=FILE -DOUT=FILE.c -DNAME=SYMBOL -P tools/embed.cmake
# Writes FILE's bytes as the C string SYMBOL (the code generator pastes the
# runtime's math functions, runtime/vmath/*.h, into the code it emits).
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN} by tools/embed.cmake. */\nconst char ${NAME}[] = {${bytes}0};\n")
