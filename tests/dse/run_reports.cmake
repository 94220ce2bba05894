# A `wrpn sim` run (with --tech) and a `wrpn energy` run each write report.md that embeds PNG plots
# drawn from their CSVs, and the PNG files exist and are not empty.
# Usage: cmake -DWRPN=... -DROOT=<source dir> -DOUT=<scratch dir> -P run_reports.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

function(check_report dir)
  if(NOT EXISTS ${dir}/report.md)
    message(FATAL_ERROR "${dir}/report.md missing")
  endif()
  file(READ ${dir}/report.md md)
  foreach(png ${ARGN})
    string(FIND "${md}" "](${png})" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${dir}/report.md does not embed ${png}:\n${md}")
    endif()
    file(SIZE ${dir}/${png} size)
    if(size LESS 1000)
      message(FATAL_ERROR "${dir}/${png} is ${size} bytes")
    endif()
  endforeach()
endfunction()

execute_process(COMMAND ${WRPN} sim --network lenet --width 2 --wbits 4 --abits 4 --tech
                        ${ROOT}/configs/tech/horowitz45.json --out ${OUT}/sim
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wrpn sim failed (${rc}): ${out}${err}")
endif()
check_report(${OUT}/sim cycles_per_layer.png energy_breakdown.png)

execute_process(COMMAND ${WRPN} energy --network lenet --width 2 --wbits 4 --abits 4 --out ${OUT}/energy
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wrpn energy failed (${rc}): ${out}${err}")
endif()
check_report(${OUT}/energy energy_breakdown.png energy_per_layer.png cycles_per_layer.png)
