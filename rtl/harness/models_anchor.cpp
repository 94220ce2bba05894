// wrpn_rtl_models holds only Verilator-generated C++ (added by verilate() in rtl/CMakeLists.txt);
// a static library needs at least one source of its own when it is declared.
namespace wrpn::rtl::detail {
extern const int kModelsLibrary;
const int kModelsLibrary = 1;
}  // namespace wrpn::rtl::detail
