# Functional (bit-exact) simulation of an imported graph: the trainer trains the depthwise-separable
# block's shapes from scratch (1 epoch on 1024 Fashion-MNIST images, W4A4), exports a trace of 2 test
# images, and `wrpn sim --trace` must reproduce every traced output code. The concat block is refused
# by the trainer (it has no concat layer) with TRN001, so it stays timing-only.
# Usage: cmake -DWRPN=... -DROOT=<source dir> -DOUT=<scratch dir> -P onnx_functional.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(DW ${ROOT}/tests/fixtures/onnx/dw_block.onnx)

function(run name)
  execute_process(COMMAND ${WRPN} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: wrpn ${ARGN} failed (${rc}):\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  message(STATUS "${name}: ok")
endfunction()

run(train train --model ${DW} --width 2 --wbits 4 --abits 4 --epochs 1 --train-images 1024 --test-images 256
    --threads 2 --out ${OUT}/train)
run(trace trace --checkpoint ${OUT}/train/checkpoint.bin --images 2 --out ${OUT}/trace)
run(sim sim --trace ${OUT}/trace --out ${OUT}/sim)
if(NOT out MATCHES "functional check: all [0-9]+ outputs match the trace bit-exactly")
  message(FATAL_ERROR "sim: no bit-exact functional check in the output:\n${out}")
endif()
string(REGEX MATCH "functional check: [^\n]*" check "${out}")
message(STATUS "${check}")

execute_process(COMMAND ${WRPN} train --model ${ROOT}/tests/fixtures/onnx/concat_block.onnx --epochs 1
                        --out ${OUT}/train-concat RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 3 OR NOT err MATCHES "^error\\[TRN001\\][^\n]*\"concat\" is a concat")
  message(FATAL_ERROR "train on the concat block: expected TRN001 and exit 3, got ${rc}:\n${err}")
endif()
