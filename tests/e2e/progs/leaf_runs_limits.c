/* leaf_runs.c with the thread's limits reached (the .expect sets them): a
 * shadow stack of 2 frames and 3 call-path nodes.  Runs of inline leaf
 * calls are filed under a folded or lost path then; the counts stay exact. */
#include "leaf_runs.c"
