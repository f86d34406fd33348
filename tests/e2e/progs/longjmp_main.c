/* setjmp in main, which never returns: the frames a longjmp abandons are
 * closed when the setjmp returns again (before session 9 they stayed open
 * until main's exit, and every later call hung below them: that is what a
 * setjmp in code built without the plugin still does).  Times stay within
 * the run.  The functions are loop_longjmp.c's. */
#define LONGJMP_IN_MAIN
#include "loop_longjmp.c"
