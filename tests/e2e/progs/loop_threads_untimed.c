/* loop_threads.c with untimed loops (loop_threads_untimed.yaml) */
#include "loop_threads.c"
