# Every third-party dependency is found here, once. scripts/install-deps.sh installs them.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
# ONNX import (workloads/onnx_import.cpp): Debian's libonnx-dev ships a CMake package whose targets
# (onnx, onnx_proto) name protobuf::libprotobuf, so protobuf is found first.
find_package(Protobuf REQUIRED)
find_package(ONNX 1.12 REQUIRED)

# SystemC ships a pkg-config file but no CMake package.
pkg_check_modules(SYSTEMC_PC REQUIRED IMPORTED_TARGET systemc)
add_library(SystemC::systemc INTERFACE IMPORTED)
target_link_libraries(SystemC::systemc INTERFACE PkgConfig::SYSTEMC_PC)
set(WRPN_SYSTEMC_VERSION "${SYSTEMC_PC_VERSION}")

if(WRPN_BUILD_RTL)
  # verilator-config-version.cmake sets the version find_package reports (5.006 on Debian 12).
  find_package(verilator HINTS /usr/share/verilator REQUIRED)
  set(WRPN_VERILATOR_VERSION "${verilator_VERSION}")
else()
  set(WRPN_VERILATOR_VERSION "none (built with WRPN_BUILD_RTL=OFF)")
endif()

find_program(YOSYS_EXECUTABLE yosys)
set(WRPN_YOSYS_VERSION "not found")
if(YOSYS_EXECUTABLE)
  execute_process(COMMAND ${YOSYS_EXECUTABLE} -V OUTPUT_VARIABLE _y OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX MATCH "[0-9]+\\.[0-9]+[^ ]*" WRPN_YOSYS_VERSION "${_y}")
endif()
