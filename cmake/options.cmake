# Every build option of autoprof, in one place.
option(AUTOPROF_BUILD_GCC_PLUGIN "Build the GCC plugin autoprof.so" ON)
option(AUTOPROF_BUILD_TOOLS "Build the autoprof command" ON)
# The LLVM plugin for clang: on by default when LLVM 14's and clang's dev
# files are found (Debian: llvm-14-dev, libclang-14-dev, libclang-cpp14-dev).
set(AUTOPROF_LLVM_VERSION 14 CACHE STRING "LLVM major version the LLVM plugin is built for")
find_program(AUTOPROF_LLVM_CONFIG NAMES llvm-config-${AUTOPROF_LLVM_VERSION} llvm-config)
set(ap_llvm_found OFF)
if(AUTOPROF_LLVM_CONFIG)
  execute_process(COMMAND ${AUTOPROF_LLVM_CONFIG} --version OUTPUT_VARIABLE ap_llvm_v
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${AUTOPROF_LLVM_CONFIG} --includedir OUTPUT_VARIABLE ap_llvm_inc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${AUTOPROF_LLVM_CONFIG} --cmakedir OUTPUT_VARIABLE AUTOPROF_LLVM_CMAKE_DIR
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${AUTOPROF_LLVM_CONFIG} --bindir OUTPUT_VARIABLE ap_llvm_bin
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(ap_llvm_v MATCHES "^${AUTOPROF_LLVM_VERSION}\\." AND
     EXISTS "${ap_llvm_inc}/clang/Frontend/FrontendPluginRegistry.h")
    set(ap_llvm_found ON)
  endif()
endif()
if(NOT ap_llvm_found AND NOT DEFINED AUTOPROF_BUILD_LLVM_PLUGIN)
  message(STATUS "autoprof: LLVM ${AUTOPROF_LLVM_VERSION} with clang headers not found: the clang "
                 "plugin is not built (install llvm-${AUTOPROF_LLVM_VERSION}-dev "
                 "libclang-${AUTOPROF_LLVM_VERSION}-dev libclang-cpp${AUTOPROF_LLVM_VERSION}-dev)")
endif()
option(AUTOPROF_BUILD_LLVM_PLUGIN "Build the LLVM plugin autoprof-llvm.so for clang" ${ap_llvm_found})
# The clang the LLVM plugin is built for (the tests compile with it).
if(ap_llvm_bin AND EXISTS "${ap_llvm_bin}/clang")
  set(ap_clang_default ${ap_llvm_bin}/clang)
else()
  set(ap_clang_default clang)
endif()
set(AUTOPROF_CLANG ${ap_clang_default} CACHE STRING "clang the LLVM plugin is built for")
set(AUTOPROF_SANITIZE "" CACHE STRING "Sanitizers for runtime, policy and tools: address,undefined | thread | empty")

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS ON) # gnu11: __thread, __builtin_expect, __attribute__
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

set(AP_WARNINGS -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter)

if(AUTOPROF_SANITIZE)
  set(AP_SANITIZE_FLAGS -fsanitize=${AUTOPROF_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
else()
  set(AP_SANITIZE_FLAGS)
endif()

# ap_target_defaults(TARGET): warnings + sanitizers for our own C code.
function(ap_target_defaults target)
  target_compile_options(${target} PRIVATE ${AP_WARNINGS} ${AP_SANITIZE_FLAGS})
  if(AP_SANITIZE_FLAGS)
    target_link_options(${target} PRIVATE ${AP_SANITIZE_FLAGS})
  endif()
endfunction()

find_package(PkgConfig REQUIRED)
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
if(AUTOPROF_BUILD_TOOLS)
  pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
endif()
find_package(Threads REQUIRED)

# The gcc whose plugin API the GCC plugin is built for (the one users compile with).
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  set(AUTOPROF_GCC_DEFAULT ${CMAKE_C_COMPILER})
else()
  set(AUTOPROF_GCC_DEFAULT gcc)
endif()
set(AUTOPROF_GCC ${AUTOPROF_GCC_DEFAULT} CACHE STRING "gcc the GCC plugin is built for")
