#include "workloads/trace.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "common/npy.h"
#include "common/sha256.h"

namespace fs = std::filesystem;

namespace wrpn {

namespace {

std::vector<int64_t> weight_shape(const Layer& l) { return {l.k, l.c / l.groups, l.r, l.s}; }
std::vector<int64_t> input_shape(const Layer& l) { return {l.n, l.c, l.h, l.w}; }
std::vector<int64_t> output_shape(const Layer& l) { return {l.n, l.k, l.out_h(), l.out_w()}; }

int64_t product(const std::vector<int64_t>& s) {
  int64_t p = 1;
  for (auto d : s) p *= d;
  return p;
}

template <typename T>
void check_size(const std::vector<T>& v, const std::vector<int64_t>& shape, const std::string& where,
                const std::string& tensor) {
  if (static_cast<int64_t>(v.size()) != product(shape))
    fail("TRC003", where, tensor,
         "tensor has " + std::to_string(v.size()) + " elements, layer shape needs " + std::to_string(product(shape)));
}

template <typename T>
void check_codes(const std::vector<T>& v, int bits, bool weights, const std::string& where, const std::string& tensor) {
  if (bits == kFp32Bits) return;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto x = static_cast<int32_t>(v[i]);
    const bool ok = static_cast<int64_t>(x) == static_cast<int64_t>(v[i]) &&
                    (weights ? is_valid_weight_code(x, bits) : is_valid_activation_code(x, bits));
    if (!ok)
      fail("TRC005", where, tensor + "[" + std::to_string(i) + "]",
           "code " + std::to_string(static_cast<int64_t>(v[i])) + " is outside the " + std::to_string(bits) + "-bit " +
               (weights ? "weight" : "activation") + " range");
  }
}

struct TensorRef {
  std::string file, sha256;
};

}  // namespace

void check_trace_layer(const TraceLayer& t, const std::string& where) {
  const Layer& l = t.shape;
  check_size(t.input, input_shape(l), where, "input");
  check_codes(t.input, l.abits_in, false, where, "input");
  if (l.op == LayerOp::add) {
    check_size(t.input_b, input_shape(l), where, "input_b");
    check_codes(t.input_b, l.abits_in, false, where, "input_b");
  }
  if (l.has_weights()) {
    check_size(t.weights, weight_shape(l), where, "weights");
    check_codes(t.weights, l.wbits, true, where, "weights");
    if (static_cast<int64_t>(t.requant.size()) != l.k)
      fail("TRC003", where, "requant",
           "has " + std::to_string(t.requant.size()) + " channels, layer has k = " + std::to_string(l.k));
  }
  if (!t.expected_acc.empty()) check_size(t.expected_acc, output_shape(l), where, "expected_acc");
  check_size(t.expected_output, output_shape(l), where, "expected_output");
  if (l.abits_out != kFp32Bits) check_codes(t.expected_output, l.abits_out, false, where, "expected_output");
}

std::string trace_content_sha256(const nlohmann::json& trace_json) {
  nlohmann::json copy = trace_json;
  if (copy.is_object()) copy.erase("content_sha256");
  return sha256_hex(copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void write_trace(const std::string& dir, const Trace& trace, bool replace) {
  // The marker lets a later `--replace` replace this trace, and only a trace (IO006 otherwise).
  StagedDirectory out(dir, replace, "trace");
  nlohmann::json j;
  j["format"] = "wrpn-trace";
  j["version"] = kTraceVersion;
  j["network"] = trace.network;
  j["width"] = trace.width;
  j["dataset"] = trace.dataset;
  j["images"] = trace.images;
  if (!trace.checkpoint_sha256.empty()) j["checkpoint_sha256"] = trace.checkpoint_sha256;
  if (!trace.chained) j["chained"] = false;
  auto put = [&](const std::string& file, const std::string& bytes) {
    write_file_atomic(out.staging() / file, bytes);
    return nlohmann::json{{"file", file}, {"sha256", sha256_hex(bytes)}};
  };
  auto put_i32 = [&](const std::string& file, const std::vector<int64_t>& shape, const std::vector<int32_t>& v) {
    int64_t lo = 0, hi = 0;
    for (auto x : v) {
      lo = std::min<int64_t>(lo, x);
      hi = std::max<int64_t>(hi, x);
    }
    return put(file, npy_encode_ints(shape, v.data(), npy_int_dtype_for_range(lo, hi)));
  };
  auto put_i64 = [&](const std::string& file, const std::vector<int64_t>& shape, const std::vector<int64_t>& v) {
    int64_t lo = 0, hi = 0;
    for (auto x : v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    return put(file, npy_encode_ints64(shape, v.data(), npy_int_dtype_for_range(lo, hi)));
  };
  if (!trace.labels.empty())
    j["labels"] = put_i32("labels.npy", {static_cast<int64_t>(trace.labels.size())}, trace.labels);
  auto& layers = j["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < trace.layers.size(); ++i) {
    const TraceLayer& t = trace.layers[i];
    const Layer& l = t.shape;
    const std::string where = dir + "/trace.json:/layers/" + std::to_string(i);
    check_trace_layer(t, where);
    const std::string stem = std::to_string(i) + "_" + l.name;
    nlohmann::json lj{{"name", l.name},
                      {"op", to_string(l.op)},
                      {"n", l.n},
                      {"c", l.c},
                      {"h", l.h},
                      {"w", l.w},
                      {"k", l.k},
                      {"r", l.r},
                      {"s", l.s},
                      {"stride", l.stride},
                      {"pad", l.pad},
                      {"groups", l.groups},
                      {"wbits", l.wbits},
                      {"abits_in", l.abits_in},
                      {"abits_out", l.abits_out},
                      {"weight_scale", t.weight_scale},
                      {"inputs", l.inputs}};
    if (!t.requant.empty()) {
      nlohmann::json m = nlohmann::json::array(), b = nlohmann::json::array(), s = nlohmann::json::array();
      for (const auto& p : t.requant) {
        m.push_back(p.multiplier);
        b.push_back(p.bias);
        s.push_back(p.shift);
      }
      lj["requant"] = {{"multiplier", m}, {"bias", b}, {"shift", s}};
    }
    auto& tensors = lj["tensors"] = nlohmann::json::object();
    tensors["input"] = put_i32(stem + "_input.npy", input_shape(l), t.input);
    if (l.op == LayerOp::add) tensors["input_b"] = put_i32(stem + "_input_b.npy", input_shape(l), t.input_b);
    if (l.has_weights()) tensors["weights"] = put_i32(stem + "_weights.npy", weight_shape(l), t.weights);
    if (!t.expected_acc.empty())
      tensors["expected_acc"] = put_i64(stem + "_expected_acc.npy", output_shape(l), t.expected_acc);
    tensors["expected_output"] = put_i64(stem + "_expected_output.npy", output_shape(l), t.expected_output);
    layers.push_back(lj);
  }
  j["content_sha256"] = trace_content_sha256(j);
  write_file_atomic(out.staging() / "trace.json", j.dump(1) + "\n");
  out.commit();
}

namespace {

std::string shape_text(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

/// TRC009 unless the layers form a network: unique names, every producer an earlier layer (or the
/// network input), each layer's input shape the producer's output shape, and each layer's stored
/// input codes equal to its producer's stored output codes. A reversed, duplicated or missing
/// layer breaks at least one of these.
void check_layer_chain(const Trace& t, const std::string& where) {
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const Layer& l = t.layers[i].shape;
    const std::string at = "/layers/" + std::to_string(i);
    if (l.name == "input" || !index_of.emplace(l.name, i).second)
      fail("TRC009", where, at + "/name",
           "layer name " + quote_for_message(l.name) +
               (l.name == "input" ? " is reserved for the network input" : " appears twice"),
           "layer names are unique; a duplicated layer makes the trace describe another network");
    if (!t.chained) continue;  // independent layers: each reads its own stored input
    const std::vector<std::string> prods = layer_producers(l, i == 0 ? nullptr : &t.layers[i - 1].shape);
    const size_t want = l.op == LayerOp::add ? 2 : 1;
    if (prods.size() != want)
      fail("TRC009", where, at + "/inputs",
           std::string(to_string(l.op)) + " layer reads " + std::to_string(want) + " input(s), trace names " +
               std::to_string(prods.size()));
    for (size_t k = 0; k < prods.size(); ++k) {
      const std::string& p = prods[k];
      if (p == "input") continue;  // the network input: any shape
      auto it = index_of.find(p);
      if (it == index_of.end() || it->second == i)
        fail(
            "TRC009", where, at + "/inputs",
            "layer " + quote_for_message(l.name) + " reads " + quote_for_message(p) + ", which is not an earlier layer",
            "layers are listed in execution order, producers first");
      const TraceLayer& prod = t.layers[it->second];
      const Layer& pl = prod.shape;
      // An fc layer reads its producer flattened (c = k * out_h * out_w, h = w = 1).
      const bool flat_ok = l.op == LayerOp::fc && l.c == pl.k * pl.out_h() * pl.out_w();
      if (!flat_ok && (pl.k != l.c || pl.out_h() != l.h || pl.out_w() != l.w))
        fail("TRC009", where, at,
             "layer " + quote_for_message(l.name) + " reads " + shape_text(l.c, l.h, l.w) + " but its producer " +
                 quote_for_message(p) + " outputs " + shape_text(pl.k, pl.out_h(), pl.out_w()),
             "the layers are out of order, or one is missing");
      if (pl.abits_out != l.abits_in)
        fail("TRC009", where, at + "/abits_in",
             "layer " + quote_for_message(l.name) + " reads " + std::to_string(l.abits_in) + "-bit codes but " +
                 quote_for_message(p) + " writes " + std::to_string(pl.abits_out) + "-bit codes");
      const std::vector<int32_t>& in = k == 0 ? t.layers[i].input : t.layers[i].input_b;
      if (in.size() == prod.expected_output.size() &&
          !std::equal(in.begin(), in.end(), prod.expected_output.begin(),
                      [](int32_t a, int64_t b) { return static_cast<int64_t>(a) == b; }))
        fail("TRC009", where, at + "/tensors/" + (k == 0 ? "input" : "input_b"),
             "stored input of layer " + quote_for_message(l.name) + " differs from the stored output of " +
                 quote_for_message(p),
             "the layers are out of order, or one is missing");
    }
  }
}

bool exists_no_throw(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

Trace read_trace(const std::string& dir) {
  const fs::path json_path = fs::path(dir) / "trace.json";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    // A symlink loop or an unreadable parent is reported as such, not as a missing directory.
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      fail("TRC001", dir, "", "cannot read trace directory: " + ec.message());
    fail("TRC001", dir, "", "trace directory does not exist", "make one with `wrpn trace`");
  }
  if (!exists_no_throw(json_path))
    fail("TRC001", json_path.string(), "", "trace.json is missing", "make one with `wrpn trace`");
  const ConfigDocument doc = ConfigDocument::load(json_path.string());
  const ConfigObject root(&doc.json(), json_path.string(), "");
  const std::string where = json_path.string();
  if (root.get_string("format", "") != "wrpn-trace")
    fail("TRC002", where, "/format", "not a wrpn trace (format must be \"wrpn-trace\")");
  const int64_t version = root.get_int("version", 0, INT32_MAX);
  if (version < kTraceOldestVersion || version > kTraceVersion)
    fail("TRC002", where, "/version",
         "trace version " + std::to_string(version) + " is not supported; this build reads " +
             std::to_string(kTraceOldestVersion) + " to " + std::to_string(kTraceVersion));
  Trace t;
  t.version = static_cast<int>(version);
  if (version >= 2) {
    const std::string stored = root.get_string("content_sha256");
    if (stored != trace_content_sha256(doc.json()))
      fail("TRC007", where, "/content_sha256",
           "trace.json differs from its content_sha256: a value in it was edited after export",
           "re-export the trace with `wrpn trace`; never edit trace.json by hand");
  }
  if (root.has("checkpoint_sha256")) {
    t.checkpoint_sha256 = root.get_string("checkpoint_sha256");
    if (t.checkpoint_sha256.size() != 64 ||
        t.checkpoint_sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      root.error("checkpoint_sha256", "CFG002", "expected 64 lowercase hex digits (a SHA-256)");
  }
  t.chained = root.get_bool("chained", true);
  t.network = root.get_string("network");
  t.width = root.get_number("width", 0.01, 1e6);
  t.dataset = root.get_string("dataset");
  t.images = root.get_int("images", 1, INT32_MAX);

  auto load_tensor = [&](const ConfigObject& ref, const std::string& tensor_name, const std::vector<int64_t>& shape) {
    const std::string file = ref.get_string("file");
    const std::string sha = ref.get_string("sha256");
    ref.finish();
    if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
      ref.error("file", "TRC006", "tensor file must be a plain name inside the trace directory");
    const fs::path p = fs::path(dir) / file;
    std::error_code fec;
    const fs::file_status st = fs::symlink_status(p, fec);
    if (!fs::exists(st)) ref.error("file", "TRC006", "tensor file " + file + " is missing");
    const std::string bytes = read_file(p);
    if (sha256_hex(bytes) != sha)
      fail("TRC004", p.string(), "", "SHA-256 of " + tensor_name + " does not match trace.json",
           "the tensor was modified or corrupted after export; re-export the trace");
    NpyArray a = npy_decode(bytes, p.string());
    if (a.dtype == NpyDtype::f4) fail("TRC003", p.string(), "", tensor_name + " must hold integer codes, not float32");
    if (a.shape != shape) {
      std::string got, want;
      for (auto d : a.shape) got += (got.empty() ? "" : "x") + std::to_string(d);
      for (auto d : shape) want += (want.empty() ? "" : "x") + std::to_string(d);
      fail("TRC003", p.string(), "", tensor_name + " has shape " + got + ", layer needs " + want);
    }
    return a.ints;
  };
  auto to_i32 = [](const std::vector<int64_t>& v) { return std::vector<int32_t>(v.begin(), v.end()); };

  if (root.has("labels")) {
    const ConfigObject ref = root.get_object("labels");
    for (auto v : load_tensor(ref, "labels", {t.images})) t.labels.push_back(static_cast<int32_t>(v));
  }
  const auto layer_objs = root.get_object_array("layers");
  for (size_t i = 0; i < layer_objs.size(); ++i) {
    const ConfigObject& lo = layer_objs[i];
    TraceLayer tl;
    Layer& l = tl.shape;
    l.name = lo.get_string("name");
    const std::string op = lo.get_string("op");
    if (!parse_layer_op(op, &l.op))
      lo.error("op", "CFG002", "expected one of conv, fc, maxpool, avgpool, add, got " + quote_for_message(op));
    if (l.op == LayerOp::concat)
      lo.error("op", "TRC008", "op \"concat\" is not executed by the integer reference or the simulator",
               "traces hold conv, fc, maxpool, avgpool and add layers");
    l.n = lo.get_int("n", 1, INT32_MAX);
    if (l.n != t.images)
      lo.error("n", "TRC003",
               "layer batch " + std::to_string(l.n) + " differs from images " + std::to_string(t.images));
    l.c = lo.get_int("c", 1, 1 << 24);
    l.h = lo.get_int("h", 1, 1 << 16);
    l.w = lo.get_int("w", 1, 1 << 16);
    l.k = lo.get_int("k", 1, 1 << 24);
    l.r = lo.get_int("r", 1, 1 << 10);
    l.s = lo.get_int("s", 1, 1 << 10);
    l.stride = lo.get_int("stride", 1, 1 << 10);
    l.pad = lo.get_int("pad", 0, 1 << 10);
    l.groups = lo.get_int("groups", 1, 1 << 24);
    if (l.c % l.groups || l.k % l.groups) lo.error("groups", "TRC003", "groups must divide c and k");
    if (l.h + 2 * l.pad < l.r || l.w + 2 * l.pad < l.s) lo.error("r", "TRC003", "kernel larger than padded input");
    auto bits = [&](const char* key) {
      const int64_t b = lo.get_int(key, 1, 32);
      if (!is_valid_bits(static_cast<int>(b)))
        lo.error(key, "CFG002", "expected bits in [1, 16] or 32, got " + std::to_string(b));
      return static_cast<int>(b);
    };
    l.wbits = bits("wbits");
    l.abits_in = bits("abits_in");
    l.abits_out = bits("abits_out");
    tl.weight_scale = static_cast<float>(lo.get_number("weight_scale", 1e-30, 1e30, 1.0));
    if (lo.has("inputs")) l.inputs = lo.get_string_array("inputs", 0);
    if (lo.has("requant")) {
      const ConfigObject rq = lo.get_object("requant");
      const auto m = rq.get_int_array("multiplier", INT64_MIN, INT64_MAX);
      const auto b = rq.get_int_array("bias", INT64_MIN, INT64_MAX);
      const auto s = rq.get_int_array("shift", 0, 62);
      rq.finish();
      if (m.size() != b.size() || m.size() != s.size())
        rq.error("", "TRC003", "multiplier, bias and shift arrays differ in length");
      for (size_t c = 0; c < m.size(); ++c) tl.requant.push_back({m[c], b[c], static_cast<int>(s[c])});
    }
    const ConfigObject tensors = lo.get_object("tensors");
    tl.input = to_i32(load_tensor(tensors.get_object("input"), l.name + ".input", input_shape(l)));
    if (l.op == LayerOp::add)
      tl.input_b = to_i32(load_tensor(tensors.get_object("input_b"), l.name + ".input_b", input_shape(l)));
    if (l.has_weights())
      tl.weights = to_i32(load_tensor(tensors.get_object("weights"), l.name + ".weights", weight_shape(l)));
    if (tensors.has("expected_acc"))
      tl.expected_acc = load_tensor(tensors.get_object("expected_acc"), l.name + ".expected_acc", output_shape(l));
    tl.expected_output =
        load_tensor(tensors.get_object("expected_output"), l.name + ".expected_output", output_shape(l));
    tensors.finish();
    lo.finish();
    check_trace_layer(tl, where + ":/layers/" + std::to_string(i));
    t.layers.push_back(std::move(tl));
  }
  root.finish();
  check_layer_chain(t, where);
  return t;
}

}  // namespace wrpn
