# One golden case: run `wrpn ARGS --out OUT` in the source tree, require exit 0, then compare each
# of FILES with results/reference/golden/NAME/ (golden_diff prints every changed cell and row).
file(REMOVE_RECURSE ${OUT})
separate_arguments(args UNIX_COMMAND "${ARGS}")
separate_arguments(files UNIX_COMMAND "${FILES}")
execute_process(COMMAND ${WRPN} ${args} --out ${OUT} WORKING_DIRECTORY ${ROOT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wrpn ${ARGS} --out ${OUT} exited ${rc}:\n${out}${err}")
endif()
set(ignore_args "")
if(NOT IGNORE STREQUAL "-")
  set(ignore_args --ignore ${IGNORE})
endif()
set(failed "")
foreach(f ${files})
  execute_process(COMMAND ${DIFF} --reference ${ROOT}/results/reference/golden/${NAME}/${f} --actual ${OUT}/${f}
                          --rtol ${RTOL} ${ignore_args}
                  RESULT_VARIABLE drc OUTPUT_VARIABLE dout ERROR_VARIABLE derr)
  message("${dout}${derr}")
  if(NOT drc EQUAL 0)
    list(APPEND failed ${f})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "golden case ${NAME}: ${failed} changed (see above; scripts/bless.sh ${NAME} updates the reference)")
endif()
