// Memory footprint (the WRPN paper's first observation: activations overtake weights as the batch
// grows) and trace v1 write/read round trip with rejection of corrupt and truncated traces.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "tests/support/diagnostics.h"
#include "workloads/footprint.h"
#include "workloads/network.h"
#include "workloads/trace.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
namespace fs = std::filesystem;

namespace {

Network w4a4(const std::string& name) { return apply_precision(builtin_network(name), PrecisionPolicy::uniform(4, 4)); }

/// The crossover claim checked from the rows themselves: activations <= weights one batch below,
/// > weights at the crossover.
void check_crossover(const Network& net, int64_t crossover, bool training) {
  const Footprint f = compute_footprint(net, {crossover - 1, crossover});
  auto act = [&](const FootprintRow& r) { return training ? r.training_activation_bits : r.peak_activation_bits; };
  if (crossover > 1) BOOST_TEST(act(f.rows[0]) <= f.rows[0].weight_bits);
  BOOST_TEST(act(f.rows[1]) > f.rows[1].weight_bits);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(footprint)

BOOST_AUTO_TEST_CASE(alexnet_w4a4_crossover) {
  const Network net = w4a4("alexnet");
  // Weights: conv1 23,232 and fc8 4,096,000 at 8 bits, the other 56,971,264 at 4 bits:
  // 185,856 + 227,885,056 + 32,768,000 = 260,838,912 bits.
  BOOST_TEST(weight_memory_bits(net) == 260838912);
  // Training activations of one image: input 150,528 * 8 = 1,204,224; 4-bit outputs of conv1 193,600,
  // pool1 46,656, conv2 139,968, pool2 32,448, conv3 64,896, conv4 43,264, conv5 43,264, pool5 9,216,
  // fc6 4,096, fc7 4,096 (581,504 codes = 2,326,016 bits); fc8 logits 1000 * 32 = 32,000.
  // Total 3,562,240 bits.
  BOOST_TEST(training_activation_bits(net) == 3562240);
  // Peak live set: the input and conv1's output, 1,204,224 + 774,400 = 1,978,624 bits.
  BOOST_TEST(peak_activation_bits(net) == 1978624);
  // Crossovers: floor(260,838,912 / 3,562,240) + 1 = 74; floor(260,838,912 / 1,978,624) + 1 = 132.
  const Footprint f = compute_footprint(net, {1, 8, 32, 128, 256});
  BOOST_TEST(f.training_crossover_batch == 74);
  BOOST_TEST(f.inference_crossover_batch == 132);
  check_crossover(net, f.training_crossover_batch, true);
  check_crossover(net, f.inference_crossover_batch, false);
  BOOST_TEST_REQUIRE(f.rows.size() == 5u);
  // The paper's observation in the rows: weights dominate at batch 1, activations at 256.
  BOOST_TEST(f.rows.front().training_activation_bits < f.rows.front().weight_bits);
  BOOST_TEST(f.rows.back().training_activation_bits > f.rows.back().weight_bits);
  BOOST_TEST(f.rows[3].training_activation_bits == 128 * f.rows[0].training_activation_bits);
}

BOOST_AUTO_TEST_CASE(resnet34_w4a4_crossover) {
  const Network net = w4a4("resnet34");
  // Weights: conv1 9,408 + fc 512,000 = 521,408 at 8 bits, 21,258,240 at 4 bits: 89,204,224 bits.
  BOOST_TEST(weight_memory_bits(net) == 89204224);
  // Training activations of one image: input 1,204,224 bits; 4-bit outputs of the 54 layers before
  // the fc; fc logits 32,000 bits: 22,512,896 bits in total. Crossover floor(89,204,224 /
  // 22,512,896) + 1 = 4: ResNet's activations overtake its weights at a tiny batch.
  BOOST_TEST(training_activation_bits(net) == 22512896);
  const Footprint f = compute_footprint(net, {1, 8, 32, 128, 256});
  BOOST_TEST(f.training_crossover_batch == 4);
  // Peak live set: the input and conv1's output (64 * 112 * 112 codes at 4 bits):
  // 1,204,224 + 3,211,264 = 4,415,488 bits; crossover floor(89,204,224 / 4,415,488) + 1 = 21.
  BOOST_TEST(peak_activation_bits(net) == 4415488);
  BOOST_TEST(f.inference_crossover_batch == 21);
  check_crossover(net, f.training_crossover_batch, true);
  check_crossover(net, f.inference_crossover_batch, false);
  BOOST_TEST(f.inference_crossover_batch >= f.training_crossover_batch);
}

BOOST_AUTO_TEST_CASE(bad_batch_is_net003) {
  BOOST_TEST(first_diagnostic_line([] {
               compute_footprint(builtin_network("mlp"), {1, 0});
             }) == "error[NET003] --batch: batch size must be at least 1");
}

BOOST_AUTO_TEST_CASE(layer_summary_matches_layers) {
  const Network net = w4a4("lenet");
  const auto rows = summarize_layers(net);
  BOOST_TEST_REQUIRE(rows.size() == net.layers.size());
  BOOST_TEST(rows[0].input_shape == "1x1x28x28");
  BOOST_TEST(rows[0].output_shape == "1x20x24x24");
  BOOST_TEST(rows[0].macs == 288000);
  BOOST_TEST(rows[0].weight_bits == 500 * 8);  // 20 * 1 * 5 * 5 weights at 8 bits
  BOOST_TEST(rows[1].wbits == 0);              // pooling has no weights
}

BOOST_AUTO_TEST_SUITE_END()

// ------------------------------------------------------------------------------------------- traces

namespace {

/// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() /
           ("wrpn_test_workloads_" + tag + "_" + std::to_string(static_cast<long>(::getpid())));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// conv 2->2 3x3 pad 1 on 3x3 (W4A4) followed by a residual add of two 2x3x3 tensors.
Trace tiny_trace() {
  Trace t;
  t.network = "tiny";
  t.width = 2.0;
  t.dataset = "synthetic";
  t.images = 1;
  t.labels = {7};
  TraceLayer conv;
  Layer& l = conv.shape;
  l.name = "conv1";
  l.op = LayerOp::conv;
  l.c = 2;
  l.h = l.w = 3;
  l.k = 2;
  l.r = l.s = 3;
  l.pad = 1;
  l.wbits = l.abits_in = l.abits_out = 4;
  conv.weight_scale = 0.25f;
  conv.requant = {{3, -5, 4}, {1, 0, 2}};
  for (int i = 0; i < 36; ++i) conv.weights.push_back(i % 15 - 7);  // codes -7..7
  for (int i = 0; i < 18; ++i) conv.input.push_back(i % 16);
  for (int i = 0; i < 18; ++i) conv.expected_acc.push_back(1000 * (i - 9));
  for (int i = 0; i < 18; ++i) conv.expected_output.push_back((i * 7) % 16);
  TraceLayer add;
  Layer& a = add.shape;
  a.name = "add1";
  a.op = LayerOp::add;
  a.c = a.k = 2;
  a.h = a.w = 3;
  a.wbits = 32;
  a.abits_in = a.abits_out = 4;
  a.inputs = {"conv1", "input"};
  add.input.assign(conv.expected_output.begin(), conv.expected_output.end());
  for (int i = 0; i < 18; ++i) add.input_b.push_back(15 - i % 16);
  for (int i = 0; i < 18; ++i) add.expected_output.push_back(15);
  t.layers = {conv, add};
  return t;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(read_all(p)); }

/// Writes an edited trace.json with its content checksum updated, so the check under test (not
/// TRC007) is the one that fires.
void write_json(const fs::path& p, nlohmann::json j) {
  if (j.contains("content_sha256")) j["content_sha256"] = trace_content_sha256(j);
  write_all(p, j.dump(1));
}

/// Writes a fresh copy of the tiny trace into `dir`/`name`, returns its path.
fs::path fresh(const TempDir& dir, const std::string& name) {
  const fs::path p = dir.path / name;
  write_trace(p.string(), tiny_trace());
  return p;
}

std::string read_error(const fs::path& p) {
  return first_diagnostic_line([&] { read_trace(p.string()); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trace_io)

BOOST_AUTO_TEST_CASE(write_read_round_trip) {
  TempDir tmp("roundtrip");
  const Trace in = tiny_trace();
  const fs::path dir = fresh(tmp, "t");
  const Trace out = read_trace(dir.string());
  BOOST_TEST(out.network == "tiny");
  BOOST_TEST(out.width == 2.0);
  BOOST_TEST(out.dataset == "synthetic");
  BOOST_TEST(out.images == 1);
  BOOST_TEST(out.labels == in.labels);
  BOOST_TEST_REQUIRE(out.layers.size() == 2u);
  for (size_t i = 0; i < 2; ++i) {
    BOOST_TEST_CONTEXT("layer " << i) {
      const TraceLayer& a = in.layers[i];
      const TraceLayer& b = out.layers[i];
      BOOST_TEST(b.shape.name == a.shape.name);
      BOOST_TEST((b.shape.op == a.shape.op));
      BOOST_TEST(b.shape.c == a.shape.c);
      BOOST_TEST(b.shape.pad == a.shape.pad);
      BOOST_TEST(b.shape.wbits == a.shape.wbits);
      BOOST_TEST(b.shape.abits_out == a.shape.abits_out);
      BOOST_TEST(b.shape.inputs == a.shape.inputs);
      BOOST_TEST(b.weight_scale == a.weight_scale);
      BOOST_TEST(b.weights == a.weights);
      BOOST_TEST(b.input == a.input);
      BOOST_TEST(b.input_b == a.input_b);
      BOOST_TEST(b.expected_acc == a.expected_acc);
      BOOST_TEST(b.expected_output == a.expected_output);
      BOOST_TEST(b.requant.size() == a.requant.size());
      for (size_t c = 0; c < std::min(a.requant.size(), b.requant.size()); ++c) {
        BOOST_TEST(b.requant[c].multiplier == a.requant[c].multiplier);
        BOOST_TEST(b.requant[c].bias == a.requant[c].bias);
        BOOST_TEST(b.requant[c].shift == a.requant[c].shift);
      }
    }
  }
  // Writing again to the same directory is refused unless replace is asked for.
  BOOST_TEST(first_diagnostic_line([&] { write_trace(dir.string(), in); }).rfind("error[IO003]", 0) == 0);
  BOOST_CHECK_NO_THROW(write_trace(dir.string(), in, true));
  // Replace only ever replaces a trace directory: any other directory is refused and left alone.
  const fs::path other = dir.parent_path() / "not-a-trace";
  fs::create_directories(other);
  { std::ofstream(other / "notes.txt") << "mine"; }
  BOOST_TEST(first_diagnostic_line([&] { write_trace(other.string(), in, true); }).rfind("error[IO006]", 0) == 0);
  BOOST_TEST(fs::exists(other / "notes.txt"));
}

BOOST_AUTO_TEST_CASE(write_refuses_inconsistent_layers) {
  TempDir tmp("badwrite");
  Trace t = tiny_trace();
  t.layers[0].weights[5] = 8;  // outside the 4-bit weight range [-7, 7]
  BOOST_TEST(first_diagnostic_line([&] { write_trace((tmp.path / "a").string(), t); }).rfind("error[TRC005]", 0) == 0);
  BOOST_TEST(!fs::exists(tmp.path / "a"));  // nothing left behind
  t = tiny_trace();
  t.layers[0].input.pop_back();
  BOOST_TEST(first_diagnostic_line([&] { write_trace((tmp.path / "b").string(), t); }) ==
             "error[TRC003] " + (tmp.path / "b").string() +
                 "/trace.json:/layers/0:input: tensor has 17 elements, layer shape needs 18");
  BOOST_TEST(!fs::exists(tmp.path / "b"));
}

BOOST_AUTO_TEST_CASE(missing_directory_and_json_are_trc001) {
  TempDir tmp("trc001");
  const fs::path none = tmp.path / "none";
  BOOST_TEST(read_error(none) == "error[TRC001] " + none.string() + ": trace directory does not exist");
  const fs::path dir = fresh(tmp, "t");
  fs::remove(dir / "trace.json");
  BOOST_TEST(read_error(dir) == "error[TRC001] " + (dir / "trace.json").string() + ": trace.json is missing");
}

BOOST_AUTO_TEST_CASE(truncated_trace_json_is_cfg001) {
  TempDir tmp("trunc_json");
  const fs::path dir = fresh(tmp, "t");
  const std::string text = read_all(dir / "trace.json");
  write_all(dir / "trace.json", text.substr(0, text.size() / 2));
  BOOST_TEST(read_error(dir).rfind("error[CFG001] " + (dir / "trace.json").string() + ": malformed JSON", 0) == 0);
}

BOOST_AUTO_TEST_CASE(wrong_format_or_version_is_trc002) {
  TempDir tmp("trc002");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  j["version"] = 3;
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir) == "error[TRC002] " + (dir / "trace.json").string() +
                                    ":/version: trace version 3 is not supported; this build reads 1 to 2");
  j["version"] = 2;
  j["format"] = "other";
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir).rfind("error[TRC002] " + (dir / "trace.json").string() + ":/format:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(shape_mismatch_is_trc003) {
  TempDir tmp("trc003");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  j["layers"][0]["k"] = 4;  // the weight tensor on disk is 2x2x3x3
  write_json(dir / "trace.json", j);
  const std::string got = read_error(dir);
  BOOST_TEST(got.rfind("error[TRC003] " + (dir / "0_conv1_weights.npy").string() +
                           ": conv1.weights has shape 2x2x3x3, layer needs 4x2x3x3",
                       0) == 0,
             got);
}

BOOST_AUTO_TEST_CASE(corrupt_tensor_is_trc004) {
  TempDir tmp("trc004");
  const fs::path dir = fresh(tmp, "t");
  const fs::path npy = dir / "0_conv1_weights.npy";
  std::string bytes = read_all(npy);
  bytes[bytes.size() - 1] = static_cast<char>(bytes.back() ^ 1);  // flip one bit of the last code
  write_all(npy, bytes);
  BOOST_TEST(read_error(dir) ==
             "error[TRC004] " + npy.string() + ": SHA-256 of conv1.weights does not match trace.json");
}

BOOST_AUTO_TEST_CASE(truncated_tensor_is_rejected) {
  TempDir tmp("trunc_npy");
  const fs::path dir = fresh(tmp, "t");
  const fs::path npy = dir / "0_conv1_input.npy";
  const std::string bytes = read_all(npy);
  const std::string cut = bytes.substr(0, bytes.size() - 3);
  write_all(npy, cut);
  // As shipped, the checksum catches it first...
  BOOST_TEST(read_error(dir).rfind("error[TRC004] " + npy.string(), 0) == 0);
  // ...and with the checksum updated to match, the NPY reader still refuses the short data.
  nlohmann::json j = read_json(dir / "trace.json");
  j["layers"][0]["tensors"]["input"]["sha256"] = sha256_hex(cut);
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir).rfind("error[NPY004] " + npy.string(), 0) == 0, read_error(dir));
}

BOOST_AUTO_TEST_CASE(code_out_of_range_is_trc005) {
  TempDir tmp("trc005");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  j["layers"][0]["abits_in"] = 2;  // the stored input codes go up to 15
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir) == "error[TRC005] " + (dir / "trace.json").string() +
                                    ":/layers/0:input[4]: code 4 is outside the 2-bit activation range");
}

BOOST_AUTO_TEST_CASE(missing_or_escaping_tensor_is_trc006) {
  TempDir tmp("trc006");
  const fs::path dir = fresh(tmp, "t");
  fs::remove(dir / "1_add1_input_b.npy");
  BOOST_TEST(read_error(dir) == "error[TRC006] " + (dir / "trace.json").string() +
                                    ":/layers/1/tensors/input_b/file: tensor file 1_add1_input_b.npy is missing");
  const fs::path dir2 = fresh(tmp, "t2");
  nlohmann::json j = read_json(dir2 / "trace.json");
  j["layers"][0]["tensors"]["input"]["file"] = "../t/0_conv1_input.npy";
  write_json(dir2 / "trace.json", j);
  BOOST_TEST(read_error(dir2).rfind("error[TRC006] " + (dir2 / "trace.json").string() +
                                        ":/layers/0/tensors/input/file: tensor file must be a plain name",
                                    0) == 0);
}

BOOST_AUTO_TEST_CASE(edited_trace_json_is_trc007) {
  TempDir tmp("trc007");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  BOOST_TEST(j["version"] == 2);
  BOOST_TEST(j["content_sha256"] == trace_content_sha256(j));
  j["layers"][0]["requant"]["multiplier"][0] = 4;  // was 3; checksum left as exported
  write_all(dir / "trace.json", j.dump(1));
  BOOST_TEST(read_error(dir) == "error[TRC007] " + (dir / "trace.json").string() +
                                    ":/content_sha256: trace.json differs from its content_sha256: a value in it was "
                                    "edited after export");
  // Layout (indentation) is not content: the compact and the indented text carry one checksum.
  j["layers"][0]["requant"]["multiplier"][0] = 3;
  write_all(dir / "trace.json", j.dump());
  BOOST_TEST(read_error(dir) == wrpn::test::kNoDiagnostic);
}

BOOST_AUTO_TEST_CASE(version_1_traces_are_still_read) {
  TempDir tmp("v1");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  j.erase("content_sha256");
  j["version"] = 1;
  write_all(dir / "trace.json", j.dump(1));
  const Trace t = read_trace(dir.string());
  BOOST_TEST(t.version == 1);
  BOOST_TEST(t.layers.size() == 2u);
  // Version 2 needs its checksum.
  j["version"] = 2;
  write_all(dir / "trace.json", j.dump(1));
  BOOST_TEST(read_error(dir) == "error[CFG004] " + (dir / "trace.json").string() +
                                    ":/content_sha256: missing required key \"content_sha256\"");
}

BOOST_AUTO_TEST_CASE(checkpoint_sha256_round_trips) {
  TempDir tmp("ckpt_sha");
  Trace in = tiny_trace();
  in.checkpoint_sha256 = sha256_hex("a checkpoint");
  write_trace((tmp.path / "t").string(), in);
  BOOST_TEST(read_trace((tmp.path / "t").string()).checkpoint_sha256 == in.checkpoint_sha256);
}

BOOST_AUTO_TEST_CASE(unexecuted_op_is_trc008) {
  TempDir tmp("trc008");
  const fs::path dir = fresh(tmp, "t");
  nlohmann::json j = read_json(dir / "trace.json");
  j["layers"][1]["op"] = "concat";
  write_json(dir / "trace.json", j);
  BOOST_TEST(
      read_error(dir).rfind(
          "error[TRC008] " + (dir / "trace.json").string() + ":/layers/1/op: op \"concat\" is not executed", 0) == 0,
      read_error(dir));
}

BOOST_AUTO_TEST_CASE(broken_layer_chain_is_trc009) {
  TempDir tmp("trc009");
  const fs::path dir = fresh(tmp, "t");
  const nlohmann::json good = read_json(dir / "trace.json");
  nlohmann::json j = good;
  j["layers"][1]["name"] = "conv1";  // two layers of one name
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir).rfind("error[TRC009] " + (dir / "trace.json").string() +
                                       ":/layers/1/name: layer name \"conv1\" appears twice",
                                   0) == 0,
             read_error(dir));
  j = good;
  j["layers"][1]["inputs"] = {"nowhere", "input"};
  write_json(dir / "trace.json", j);
  BOOST_TEST(read_error(dir).rfind("error[TRC009] " + (dir / "trace.json").string() + ":/layers/1/inputs:", 0) == 0,
             read_error(dir));
  // The add reads conv1's output: stored input codes that differ from it break the chain.
  Trace t = tiny_trace();
  t.layers[1].input[0] = (t.layers[1].input[0] + 1) % 16;
  write_trace((tmp.path / "t2").string(), t);
  // A set of independent layers ("chained": false) is not a chain: each layer has its own input.
  t.chained = false;
  write_trace((tmp.path / "t3").string(), t);
  BOOST_TEST(read_error(tmp.path / "t3") == wrpn::test::kNoDiagnostic);
  BOOST_TEST(!read_trace((tmp.path / "t3").string()).chained);
  BOOST_TEST(read_error(tmp.path / "t2")
                     .rfind("error[TRC009] " + (tmp.path / "t2" / "trace.json").string() +
                                ":/layers/1/tensors/input: stored input of layer \"add1\" differs",
                            0) == 0,
             read_error(tmp.path / "t2"));
}

BOOST_AUTO_TEST_SUITE_END()
