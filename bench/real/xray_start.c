/* Starts LLVM XRay's profiling mode for the "xray" variant of bench/real.
 * In LLVM 14, XRAY_OPTIONS="xray_mode=xray-profiling patch_premain=true"
 * patches the sleds but never initialises the profiling mode (it registers
 * itself after the options are read and only init sets the handler), so a
 * run writes no profile.  The documented remedy is the API: select the mode,
 * initialise it, patch.  Linked with -Wl,--wrap=main so the program's
 * sources stay untouched; the profile is written at exit by XRay itself.
 * Declared here rather than included: xray_log_interface.h is C++ only. */
#include <stdio.h>

int __xray_log_select_mode(const char *mode);
int __xray_log_init_mode(const char *mode, const char *config);
int __xray_patch(void);
int __real_main(int argc, char **argv, char **envp);

__attribute__((xray_never_instrument)) int __wrap_main(int argc, char **argv, char **envp) {
  enum { XRAY_REGISTRATION_OK = 0, XRAY_LOG_INITIALIZED = 2, XRAY_PATCHING_SUCCESS = 1 };
  if (__xray_log_select_mode("xray-profiling") != XRAY_REGISTRATION_OK ||
      __xray_log_init_mode("xray-profiling", "") != XRAY_LOG_INITIALIZED ||
      __xray_patch() != XRAY_PATCHING_SUCCESS) {
    fputs("xray_start: could not start XRay's profiling mode\n", stderr);
    return 99;
  }
  return __real_main(argc, argv, envp);
}
