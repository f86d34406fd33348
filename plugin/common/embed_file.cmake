# cmake -DIN=file -DOUT=file.c -DSYMBOL=name -P embed_file.cmake
# Turns a text file into `const char SYMBOL[]` and `const size_t SYMBOL_len`,
# so the built-in policy is config/default.yaml itself, not a copy in C.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR len "${nhex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n  "
       bytes "${bytes}")
file(WRITE "${OUT}"
     "/* Generated from ${IN} by embed_file.cmake: do not edit. */\n"
     "#include <stddef.h>\n"
     "const char ${SYMBOL}[] = {\n  ${bytes}0x00};\n"
     "const size_t ${SYMBOL}_len = ${len};\n")
