/* loop_recursion.c, every call and loop entry timed (AUTOPROF_EXACT_TIMING=1) */
#include "loop_recursion.c"
