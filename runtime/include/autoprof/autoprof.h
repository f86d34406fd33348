/* autoprof public API.
 *
 * An instrumented program needs none of this: the compiler plugin inserts
 * the probes (abi.h) and the runtime writes its report at exit.  These
 * functions are for programs that want more control.  Link: -lautoprof
 * -lpthread (or pkg-config autoprof).
 */
#ifndef AUTOPROF_H
#define AUTOPROF_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AUTOPROF_VERSION "0.1.0"

/* Writes the report now instead of at exit: closes the calling thread's
 * open frames, merges every thread, writes the files and the stderr
 * summary exactly as at exit.  Later probes stay harmless and nothing more
 * is written.  Use it before _exit(), or in a long-running server.
 * Returns 0 when the files were written (or none were asked for), -1
 * otherwise (the reason is on stderr), and 1 if the report was already
 * written or profiling is disabled. */
int autoprof_finish(void);

/* The runtime's version, e.g. "0.1.0". */
const char *autoprof_version(void);

/* The runtime settings (environment variables), one Markdown table row
 * each: the source of docs/runtime-flags.md. */
void autoprof_write_flags_doc(FILE *out);
/* Name of the i-th runtime setting ("AUTOPROF_OUTPUT", ...), NULL past the end. */
const char *autoprof_flag_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif /* AUTOPROF_H */
