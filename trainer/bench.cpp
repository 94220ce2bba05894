#include "trainer/bench.h"

#include <chrono>

#include "common/rng.h"
#include "trainer/dataset.h"
#include "trainer/model.h"
#include "trainer/optim.h"
#include "trainer/parallel.h"
#include "trainer/train.h"

namespace wrpn::trainer {

std::vector<BenchRow> bench_train(const std::vector<int>& thread_counts, double seconds, const std::string& data_dir) {
  Dataset d;
  try {
    d = load_dataset(data_dir, "train").head(8192);
  } catch (const std::exception&) {
    d.count = 8192;
    Rng rng(7);
    d.pixels.resize(static_cast<size_t>(d.count * 784));
    for (auto& p : d.pixels) p = static_cast<uint8_t>(rng.uniform_int(0, 255));
    d.labels.resize(static_cast<size_t>(d.count));
    for (auto& l : d.labels) l = static_cast<int32_t>(rng.uniform_int(0, 9));
  }
  struct Cfg {
    const char* name;
    double width;
    int bits;
  };
  const Cfg cfgs[] = {{"lenet w1 FP32", 1.0, 32}, {"lenet w2 W4A4", 2.0, 4}};
  std::vector<BenchRow> rows;
  using clock = std::chrono::steady_clock;
  for (const auto& c : cfgs)
    for (int t : thread_counts) {
      set_threads(t);
      ModelSpec spec;
      spec.model = "lenet";
      spec.width = c.width;
      spec.wbits = spec.abits = c.bits;
      Model model(spec_network(spec));
      model.init(1);
      OptimConfig oc;
      Optimizer opt(oc, model.params());
      const int64_t B = 64;
      std::vector<float> x(static_cast<size_t>(B * 784));
      std::vector<int64_t> idx(static_cast<size_t>(B));
      std::vector<float> dl;
      std::vector<int32_t> labels(static_cast<size_t>(B));
      int64_t images = 0, batch_i = 0;
      auto run_step = [&]() {
        for (int64_t i = 0; i < B; ++i) idx[i] = (batch_i * B + i) % d.count;
        ++batch_i;
        images_to_input(d, idx.data(), B, x.data());
        for (int64_t i = 0; i < B; ++i) labels[i] = d.labels[idx[i]];
        model.forward(x.data(), B, true);
        int64_t ok;
        model.loss(labels.data(), &dl, &ok);
        model.backward(dl);
        opt.step(0.01);
      };
      for (int w = 0; w < 3; ++w) run_step();  // warm-up
      auto t0 = clock::now();
      double el = 0;
      while (el < seconds) {
        run_step();
        images += B;
        el = std::chrono::duration<double>(clock::now() - t0).count();
      }
      const double train_ips = static_cast<double>(images) / el;
      const Dataset test = d.head(2000);
      evaluate(model, test);  // warm-up
      t0 = clock::now();
      el = 0;
      images = 0;
      while (el < seconds) {
        evaluate(model, test);
        images += test.count;
        el = std::chrono::duration<double>(clock::now() - t0).count();
      }
      rows.push_back({c.name, t, train_ips, static_cast<double>(images) / el});
    }
  return rows;
}

}  // namespace wrpn::trainer
