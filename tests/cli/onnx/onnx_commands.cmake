# Every command that takes a network runs on the committed ONNX blocks (a depthwise-separable block
# with a residual add, and a concat block): workload, footprint, energy, sim (SystemC, timing only)
# and a sweep whose config names an .onnx file.
# Usage: cmake -DWRPN=... -DROOT=<source dir> -DSWEEP=<sweep config> -DOUT=<scratch dir> -P onnx_commands.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(DW ${ROOT}/tests/fixtures/onnx/dw_block.onnx)
set(CAT ${ROOT}/tests/fixtures/onnx/concat_block.onnx)

function(run name expect)
  execute_process(COMMAND ${WRPN} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: wrpn ${ARGN} failed (${rc}):\n${out}${err}")
  endif()
  if(NOT out MATCHES "${expect}")
    message(FATAL_ERROR "${name}: output does not match \"${expect}\":\n${out}")
  endif()
  message(STATUS "${name}: ok")
endfunction()

# dw_block: 498,944 MACs at width 1 (tests/workloads/test_onnx.cpp); the depthwise layer keeps groups.
run(workload_dw "total: 8 layers, 498944 MACs" workload ${DW})
run(workload_cat "concat +concat +1x32x14x14" workload ${CAT} --width 1 --wbits 4 --abits 4)
run(footprint_cat "crossover \\(training\\)" footprint ${CAT} --wbits 4 --abits 4)
run(energy_dw "efficiency gain" energy --network ${DW} --width 2 --wbits 4 --abits 4 --out ${OUT}/energy-dw)
foreach(net dw cat)
  if(net STREQUAL "dw")
    set(model ${DW})
  else()
    set(model ${CAT})
  endif()
  run(sim_${net} "total" sim --network ${model} --width 2 --wbits 4 --abits 4 --batch 2 --out ${OUT}/sim-${net})
  if(NOT EXISTS ${OUT}/sim-${net}/report.md)
    message(FATAL_ERROR "sim_${net}: no report.md in ${OUT}/sim-${net}")
  endif()
endforeach()
# 2 wbits x 2 widths, plus the FP32 baseline point the sweep adds.
run(sweep_dw ": 5 ok, 0 failed, 0 pending" sweep ${SWEEP} --out ${OUT}/sweep --workers 2)
