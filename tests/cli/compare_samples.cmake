# Runs gen_samples and compares each generated profile with the committed
# sample: the samples stay exactly what the runtime's writer produces.
#   -DGEN=exe -DSAMPLES=dir -DOUTDIR=dir
file(MAKE_DIRECTORY "${OUTDIR}/samples")
set(dest "${OUTDIR}/samples")
if("$ENV{AUTOPROF_UPDATE_GOLDEN}")
  set(dest "${SAMPLES}")
endif()
execute_process(COMMAND ${GEN} ${dest} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen_samples failed: ${rc}")
endif()
foreach(name before.json after.json rank1.json leafy.json probed.json)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${SAMPLES}/${name}" "${dest}/${name}"
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "${SAMPLES}/${name} is not what the writer produces now (${dest}/${name}); "
                        "AUTOPROF_UPDATE_GOLDEN=1 regenerates it")
  endif()
endforeach()
