# Project-wide compile options for our own targets, applied through wrpn_add_library /
# wrpn_add_executable so third-party code never sees -Werror.

if(WRPN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(WRPN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WRPN_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  # Every library is instrumented for coverage; only the targets in tests/fuzz link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(wrpn_project_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    # The FP32 baseline is defined as separate IEEE multiply and add, never a fused FMA.
    -ffp-contract=off)
  if(WRPN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# wrpn_add_library(NAME folder SOURCES...) -> target wrpn_<folder>, alias wrpn::<folder>
function(wrpn_add_library name)
  add_library(wrpn_${name} STATIC ${ARGN})
  add_library(wrpn::${name} ALIAS wrpn_${name})
  target_include_directories(wrpn_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  wrpn_project_options(wrpn_${name})
endfunction()

# wrpn_add_test(NAME sources... LIBS libs... LABELS labels...)
# One Boost.Test executable per component, registered with CTest.
function(wrpn_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  wrpn_project_options(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
    WRPN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name} --color_output=no --log_level=message)
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
endfunction()
