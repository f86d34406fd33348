# Every build option of autoprof, in one place.
option(AUTOPROF_BUILD_GCC_PLUGIN "Build the GCC plugin autoprof.so" ON)
option(AUTOPROF_BUILD_TOOLS "Build the autoprof command" ON)
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
