# Runs one `autoprof` command and compares what it did with a golden file.
#   -DAUTOPROF=exe -DARGS="report|x.json|--top|3" -DWORKDIR=dir -DOUTDIR=dir
#   -DGOLDEN=file [-DOUTFILE=file whose content is part of the result]
#   [-DSTDOUT_TO=file: also save stdout there, for a later test]
# The result is the command line, the exit status, stdout, stderr (and
# OUTFILE), with OUTDIR written as @OUT@ so nothing machine-dependent is
# compared.  With AUTOPROF_UPDATE_GOLDEN=1 in the environment the golden
# file is rewritten instead.
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "@OUT@" "${OUTDIR}" args "${args}")
execute_process(COMMAND ${AUTOPROF} ${args} WORKING_DIRECTORY ${WORKDIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REPLACE "|" " " shown "${ARGS}")
set(result "$ autoprof ${shown}\nexit: ${rc}\n--- stdout\n${out}--- stderr\n${err}")
if(OUTFILE)
  if(EXISTS "${OUTFILE}")
    file(READ "${OUTFILE}" content)
  else()
    set(content "(missing)\n")
  endif()
  get_filename_component(name "${OUTFILE}" NAME)
  string(APPEND result "--- file ${name}\n${content}")
endif()
string(REPLACE "${OUTDIR}" "@OUT@" result "${result}")
if(STDOUT_TO)
  file(WRITE "${STDOUT_TO}" "${out}")
endif()

if("$ENV{AUTOPROF_UPDATE_GOLDEN}")
  file(WRITE "${GOLDEN}" "${result}")
  message(STATUS "updated ${GOLDEN}")
  return()
endif()
if(NOT EXISTS "${GOLDEN}")
  message(FATAL_ERROR "no golden file ${GOLDEN}: run with AUTOPROF_UPDATE_GOLDEN=1 to create it\n${result}")
endif()
file(READ "${GOLDEN}" expected)
if(NOT result STREQUAL expected)
  get_filename_component(name "${GOLDEN}" NAME)
  set(actual "${OUTDIR}/${name}.actual")
  file(WRITE "${actual}" "${result}")
  execute_process(COMMAND diff -u "${GOLDEN}" "${actual}" OUTPUT_VARIABLE d)
  message(FATAL_ERROR "output differs from ${GOLDEN} (AUTOPROF_UPDATE_GOLDEN=1 accepts it):\n${d}")
endif()
