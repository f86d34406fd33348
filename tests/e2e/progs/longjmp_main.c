/* setjmp in main, which never returns: every frame a longjmp abandons stays
 * open until main's exit closes them all, and the calls made meanwhile
 * hang below them.  Their times are wrong paths but must stay within the
 * run: the abandoned frames, timed, are a floor for their sampled parents,
 * not a sum on top of them.  The functions are loop_longjmp.c's. */
#define LONGJMP_IN_MAIN
#include "loop_longjmp.c"
