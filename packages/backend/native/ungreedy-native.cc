// Native kernels for the wasm backend (packages/core/src/engine/backend/native/native-kernels.ts registers them).
//
// TensorFlow.js's wasm backend runs XNNPACK on one thread with 128-bit SIMD. Here, 2-D convolutions run on
// oneDNN (the library PyTorch's CPU build uses: JIT AVX2/AVX-512 code on every core through OpenMP), and the
// max-pool gradient is a plain loop. Tensors stay where they are: JavaScript passes Float32Array views of the
// wasm heap, so nothing is copied. The heap cannot move during a call: no wasm code runs while a kernel runs,
// and every output was allocated before the views were taken.
//
// conv2d(op, a, b, out, dims):
//   op 0 forward:          a = x (NHWC),  b = filter (HWIO), out = y (NHWC)
//   op 1 backward data:    a = dy (NHWC), b = filter (HWIO), out = dx (NHWC)
//   op 2 backward weights: a = x (NHWC),  b = dy (NHWC),     out = dW (HWIO)
//   dims (Float64Array): [n, h, w, ci, ho, wo, co, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight]
//   (dh, dw: dilation, 1 = none). Primitive descriptors are cached per shape.
// maxPoolGrad(dy, x, dx, geometry, firstWins): see MaxPoolGrad below.
// adamStep / sgdStep: one pass of the optimizer over a parameter (returns Σ θ'²), see OptimizerStep below.
// batchNorm / batchNormGrad: training-mode batch norm over [M, C], see BatchNorm below.
// sumOfSquares(x): Σ x², accumulated in double (the learning-speed probe's reduction).
// Every array's length is checked against the sizes, so a wrong call throws instead of writing out of bounds.
#include <node_api.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct Conv {
  int64_t n, h, w, ci, ho, wo, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

dnnl::engine& cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

memory::desc srcDesc(const Conv& c) { return {{c.n, c.ci, c.h, c.w}, memory::data_type::f32, tag::nhwc}; }
memory::desc dstDesc(const Conv& c) { return {{c.n, c.co, c.ho, c.wo}, memory::data_type::f32, tag::nhwc}; }
memory::desc hwioDesc(const Conv& c) { return {{c.co, c.ci, c.kh, c.kw}, memory::data_type::f32, tag::hwio}; }
// The primitive picks its own weight layout (blocked for the JIT kernels); weights are reordered from HWIO.
memory::desc anyWeights(const Conv& c) { return {{c.co, c.ci, c.kh, c.kw}, memory::data_type::f32, tag::any}; }

struct Plan {
  dnnl::convolution_forward::primitive_desc forward;
  std::unique_ptr<dnnl::convolution_forward> forwardPrim;
  std::unique_ptr<dnnl::convolution_backward_data> dataPrim;
  dnnl::convolution_backward_data::primitive_desc data;
  std::unique_ptr<dnnl::convolution_backward_weights> weightsPrim;
  dnnl::convolution_backward_weights::primitive_desc weights;
  // Reorders between HWIO and the layouts the primitives chose (null where they chose HWIO itself).
  std::unique_ptr<dnnl::reorder> toForward, toData, fromWeights;
};

// A reorder from `from` to `to`, or null when the layouts agree (the memory is used as it is).
std::unique_ptr<dnnl::reorder> reorderBetween(const memory::desc& from, const memory::desc& to) {
  if (from == to) return nullptr;
  return std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(cpuEngine(), from, cpuEngine(), to));
}

std::string keyOf(const Conv& c) {
  char b[320];
  std::snprintf(b, sizeof b, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", (long)c.n, (long)c.h,
                (long)c.w, (long)c.ci, (long)c.ho, (long)c.wo, (long)c.co, (long)c.kh, (long)c.kw, (long)c.sh, (long)c.sw,
                (long)c.dh, (long)c.dw, (long)c.pt, (long)c.pl, (long)c.pb, (long)c.pr);
  return b;
}

Plan& planFor(const Conv& c, int op) {
  static std::unordered_map<std::string, std::unique_ptr<Plan>> plans;
  const std::string key = keyOf(c);
  auto found = plans.find(key);
  Plan* p;
  const memory::dims strides{c.sh, c.sw}, dilates{c.dh - 1, c.dw - 1}, padL{c.pt, c.pl}, padR{c.pb, c.pr};
  if (found == plans.end()) {
    auto plan = std::make_unique<Plan>();
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, srcDesc(c),
                                      anyWeights(c), dstDesc(c), strides, dilates, padL, padR);
    plan->forward = dnnl::convolution_forward::primitive_desc(d, cpuEngine());
    p = plan.get();
    plans.emplace(key, std::move(plan));
  } else {
    p = found->second.get();
  }
  if (op == 0 && !p->forwardPrim) {
    p->forwardPrim = std::make_unique<dnnl::convolution_forward>(p->forward);
    p->toForward = reorderBetween(hwioDesc(c), p->forward.weights_desc());
  }
  if (op == 1 && !p->dataPrim) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, srcDesc(c), anyWeights(c), dstDesc(c), strides,
                                            dilates, padL, padR);
    p->data = dnnl::convolution_backward_data::primitive_desc(d, cpuEngine(), p->forward);
    p->dataPrim = std::make_unique<dnnl::convolution_backward_data>(p->data);
    p->toData = reorderBetween(hwioDesc(c), p->data.weights_desc());
  }
  if (op == 2 && !p->weightsPrim) {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, srcDesc(c), anyWeights(c), dstDesc(c),
                                               strides, dilates, padL, padR);
    p->weights = dnnl::convolution_backward_weights::primitive_desc(d, cpuEngine(), p->forward);
    p->weightsPrim = std::make_unique<dnnl::convolution_backward_weights>(p->weights);
    p->fromWeights = reorderBetween(p->weights.diff_weights_desc(), hwioDesc(c));
  }
  return *p;
}

// The filter in the layout `want`: the HWIO memory itself, or a copy made by `reorder`.
memory filterAs(const dnnl::reorder* reorder, const memory::desc& want, const Conv& c, float* hwio) {
  memory user(hwioDesc(c), cpuEngine(), hwio);
  if (reorder == nullptr) return user;
  memory m(want, cpuEngine());
  reorder->execute(cpuStream(), user, m);
  return m;
}

void runConv(int op, float* a, float* b, float* out, const Conv& c) {
  Plan& plan = planFor(c, op);
  dnnl::stream& s = cpuStream();
  if (op == 0) {
    memory x(srcDesc(c), cpuEngine(), a), y(dstDesc(c), cpuEngine(), out);
    memory f = filterAs(plan.toForward.get(), plan.forward.weights_desc(), c, b);
    plan.forwardPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, f}, {DNNL_ARG_DST, y}});
  } else if (op == 1) {
    memory dy(dstDesc(c), cpuEngine(), a), dx(srcDesc(c), cpuEngine(), out);
    memory f = filterAs(plan.toData.get(), plan.data.weights_desc(), c, b);
    plan.dataPrim->execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, f}, {DNNL_ARG_DIFF_SRC, dx}});
  } else {
    memory x(srcDesc(c), cpuEngine(), a), dy(dstDesc(c), cpuEngine(), b), user(hwioDesc(c), cpuEngine(), out);
    if (plan.fromWeights == nullptr) {
      plan.weightsPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, user}});
    } else {
      memory dW(plan.weights.diff_weights_desc(), cpuEngine());
      plan.weightsPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dW}});
      plan.fromWeights->execute(s, dW, user);
    }
  }
  s.wait();
}

// Max-pool gradient over [N, D, H, W, C] (2-D pools pass D = 1): each window's dy goes to the tap holding the
// window maximum; ties go to the first tap (firstWins, TensorFlow.js's 2-D rule) or the last (its 3-D rule);
// padding never wins; overlapping windows accumulate. The same rule as max-pool-grad.ts's JavaScript loop.
// geometry (Int32Array): [batch, channels, D, H, W, OD, OH, OW, KD, KH, KW, SD, SH, SW, PD, PH, PW]
void maxPoolGrad(const float* dy, const float* x, float* dx, const int32_t* g, bool firstWins) {
  const int64_t batch = g[0], c = g[1], D = g[2], H = g[3], W = g[4], OD = g[5], OH = g[6], OW = g[7];
  const int64_t KD = g[8], KH = g[9], KW = g[10], SD = g[11], SH = g[12], SW = g[13], PD = g[14], PH = g[15], PW = g[16];
  std::fill(dx, dx + batch * D * H * W * c, 0.0f);
  std::vector<float> best(c);
  std::vector<int64_t> arg(c);
  int64_t o = 0;
  for (int64_t b = 0; b < batch; b++)
    for (int64_t od = 0; od < OD; od++)
      for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++, o += c) {
          const int64_t z0 = od * SD - PD, y0 = oh * SH - PH, x0 = ow * SW - PW;
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(arg.begin(), arg.end(), -1);
          for (int64_t z = std::max<int64_t>(0, z0); z < std::min(D, z0 + KD); z++)
            for (int64_t y = std::max<int64_t>(0, y0); y < std::min(H, y0 + KH); y++)
              for (int64_t xx = std::max<int64_t>(0, x0); xx < std::min(W, x0 + KW); xx++) {
                const int64_t base = (((b * D + z) * H + y) * W + xx) * c;
                const float* row = x + base;
                if (firstWins) {
                  for (int64_t ch = 0; ch < c; ch++)
                    if (row[ch] > best[ch]) best[ch] = row[ch], arg[ch] = base + ch;
                } else {
                  for (int64_t ch = 0; ch < c; ch++)
                    if (row[ch] >= best[ch]) best[ch] = row[ch], arg[ch] = base + ch;
                }
              }
          for (int64_t ch = 0; ch < c; ch++)
            if (arg[ch] >= 0) dx[arg[ch]] += dy[o + ch];
        }
}

// A typed array argument's data and element count, or false (a TypeError is then pending).
template <typename T>
bool typedArg(napi_env env, napi_value v, napi_typedarray_type want, T** data, size_t* length) {
  napi_typedarray_type type;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok || type != want) {
    napi_throw_type_error(env, nullptr, "ungreedy native kernels: wrong argument type");
    return false;
  }
  *data = static_cast<T*>(p);
  return true;
}

bool checkLength(napi_env env, const char* name, size_t got, int64_t want) {
  if (got == static_cast<size_t>(want)) return true;
  char text[160];
  std::snprintf(text, sizeof text, "ungreedy native kernels: %s has %zu elements, but the sizes need %lld", name, got, (long long)want);
  napi_throw_range_error(env, nullptr, text);
  return false;
}

napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int32_t op = -1;
  float *a, *b, *out;
  double* d;
  size_t na, nb, nout, nd;
  if (argc != 5 || napi_get_value_int32(env, args[0], &op) != napi_ok || op < 0 || op > 2) {
    napi_throw_type_error(env, nullptr, "conv2d(op: 0|1|2, a, b, out: Float32Array, dims: Float64Array(17)) expected");
    return nullptr;
  }
  if (!typedArg(env, args[1], napi_float32_array, &a, &na) || !typedArg(env, args[2], napi_float32_array, &b, &nb) ||
      !typedArg(env, args[3], napi_float32_array, &out, &nout) || !typedArg(env, args[4], napi_float64_array, &d, &nd))
    return nullptr;
  if (!checkLength(env, "dims", nd, 17)) return nullptr;
  const Conv c{(int64_t)d[0], (int64_t)d[1], (int64_t)d[2],  (int64_t)d[3],  (int64_t)d[4],  (int64_t)d[5],
               (int64_t)d[6], (int64_t)d[7], (int64_t)d[8],  (int64_t)d[9],  (int64_t)d[10], (int64_t)d[11],
               (int64_t)d[12], (int64_t)d[13], (int64_t)d[14], (int64_t)d[15], (int64_t)d[16]};
  const int64_t xs = c.n * c.h * c.w * c.ci, ys = c.n * c.ho * c.wo * c.co, ws = c.kh * c.kw * c.ci * c.co;
  const int64_t sizes[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (!checkLength(env, "a", na, sizes[op][0]) || !checkLength(env, "b", nb, sizes[op][1]) ||
      !checkLength(env, "out", nout, sizes[op][2]))
    return nullptr;
  try {
    runConv(op, a, b, out, c);
  } catch (const std::exception& e) {
    napi_throw_error(env, "UNG_NATIVE_ONEDNN", e.what());
  }
  return nullptr;
}

napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  float *dy, *x, *dx;
  int32_t* g;
  size_t ndy, nx, ndx, ng;
  bool firstWins = true;
  if (argc != 5 || !typedArg(env, args[0], napi_float32_array, &dy, &ndy) || !typedArg(env, args[1], napi_float32_array, &x, &nx) ||
      !typedArg(env, args[2], napi_float32_array, &dx, &ndx) || !typedArg(env, args[3], napi_int32_array, &g, &ng) ||
      napi_get_value_bool(env, args[4], &firstWins) != napi_ok) {
    if (argc != 5) napi_throw_type_error(env, nullptr, "maxPoolGrad(dy, x, dx, geometry: Int32Array(17), firstWins) expected");
    return nullptr;
  }
  if (!checkLength(env, "geometry", ng, 17)) return nullptr;
  const int64_t in = (int64_t)g[0] * g[1] * g[2] * g[3] * g[4], outN = (int64_t)g[0] * g[1] * g[5] * g[6] * g[7];
  if (!checkLength(env, "x", nx, in) || !checkLength(env, "dx", ndx, in) || !checkLength(env, "dy", ndy, outN)) return nullptr;
  maxPoolGrad(dy, x, dx, g, firstWins);
  return nullptr;
}

// The optimizers' updates in one pass over a parameter, each operation rounded to float32 in the order the
// TensorFlow.js ops of trainer/optimizer.ts take, so the result equals theirs bit for bit (the build passes
// -ffp-contract=off: no fused multiply-adds). The scalars arrive already rounded to float32.
// adamStep(theta, grad, m, v, outTheta, outM, outV, s) with s = [wd, b1, 1-b1, b2, 1-b2, sqrt(1-b2^t), eps, lr/(1-b1^t)]
// sgdStep(theta, grad, buf, outTheta, outBuf, s) with s = [wd, momentum, lr, nesterov (0|1)]; buf may be empty
// (no momentum), and then so is outBuf.
// Runs body(begin, end) on every OpenMP thread over its own contiguous block of [0, n) and returns the sum of what
// the calls return, added in thread order: the result depends on the thread count only, not on scheduling.
template <typename Body>
double blockSum(size_t n, Body body) {
  std::vector<double> partial(static_cast<size_t>(omp_get_max_threads()), 0.0);
#pragma omp parallel
  {
    const size_t t = static_cast<size_t>(omp_get_thread_num()), nt = static_cast<size_t>(omp_get_num_threads());
    partial[t] = body(n * t / nt, n * (t + 1) / nt);
  }
  double sum = 0.0;
  for (double p : partial) sum += p;
  return sum;
}

// Both return Σ θ'² of the new parameter, which the learning-speed probe then need not read again.
double adamStep(size_t n, const float* th, const float* gr, const float* m, const float* v, float* th2, float* m2, float* v2, const float* s) {
  const float wd = s[0], b1 = s[1], c1 = s[2], b2 = s[3], c2 = s[4], bias2 = s[5], eps = s[6], step = s[7];
  return blockSum(n, [&](size_t begin, size_t end) {
    double sq = 0.0;
    for (size_t i = begin; i < end; i++) {
      const float g = wd != 0.0f ? gr[i] + th[i] * wd : gr[i];
      const float mi = m[i] * b1 + g * c1;
      const float vi = v[i] * b2 + (g * g) * c2;
      const float denom = std::sqrt(vi) / bias2 + eps;
      m2[i] = mi;
      v2[i] = vi;
      th2[i] = th[i] - (mi / denom) * step;
      sq += static_cast<double>(th2[i]) * th2[i];
    }
    return sq;
  });
}

double sgdStep(size_t n, const float* th, const float* gr, const float* buf, float* th2, float* buf2, const float* s) {
  const float wd = s[0], mu = s[1], lr = s[2];
  const bool nesterov = s[3] != 0.0f;
  return blockSum(n, [&](size_t begin, size_t end) {
    double sq = 0.0;
    for (size_t i = begin; i < end; i++) {
      float g = wd != 0.0f ? gr[i] + th[i] * wd : gr[i];
      if (buf != nullptr) {
        const float next = buf[i] * mu + g;
        buf2[i] = next;
        g = nesterov ? g + next * mu : next;
      }
      th2[i] = th[i] - g * lr;
      sq += static_cast<double>(th2[i]) * th2[i];
    }
    return sq;
  });
}

napi_value OptimizerStep(napi_env env, napi_callback_info info, bool adam) {
  const size_t want = adam ? 8 : 6;
  size_t argc = 8;
  napi_value args[8];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != want) {
    napi_throw_type_error(env, nullptr, adam ? "adamStep(theta, grad, m, v, outTheta, outM, outV, scalars) expected" : "sgdStep(theta, grad, buf, outTheta, outBuf, scalars) expected");
    return nullptr;
  }
  float* a[7];
  size_t len[7];
  for (size_t k = 0; k + 1 < want; k++)
    if (!typedArg(env, args[k], napi_float32_array, &a[k], &len[k])) return nullptr;
  float* s;
  size_t ns;
  if (!typedArg(env, args[want - 1], napi_float32_array, &s, &ns) || !checkLength(env, "scalars", ns, adam ? 8 : 4)) return nullptr;
  const size_t n = len[0];
  for (size_t k = 1; k + 1 < want; k++) {
    const bool emptyBuffer = !adam && (k == 2 || k == 4) && len[2] == 0 && len[4] == 0;
    if (!emptyBuffer && !checkLength(env, "optimizer tensor", len[k], static_cast<int64_t>(n))) return nullptr;
  }
  const double squaredNorm = adam ? adamStep(n, a[0], a[1], a[2], a[3], a[4], a[5], a[6], s)
                                  : sgdStep(n, a[0], a[1], len[2] == 0 ? nullptr : a[2], a[3], len[4] == 0 ? nullptr : a[4], s);
  napi_value out;
  napi_create_double(env, squaredNorm, &out);
  return out;
}

napi_value AdamStep(napi_env env, napi_callback_info info) { return OptimizerStep(env, info, true); }
napi_value SgdStep(napi_env env, napi_callback_info info) { return OptimizerStep(env, info, false); }

// Training-mode batch norm over x viewed as [M, C] (channels innermost, statistics per channel over M rows):
// y = (x − mean)·invstd·γ + β with invstd = 1/√(var + ε), var biased. Sums are accumulated in double, so the
// statistics are at least as accurate as TensorFlow.js's float32 reductions (batch-norm-train.ts's formula).
void batchNorm(size_t m, size_t c, const float* x, const float* gamma, const float* beta, float* y, float* mean, float* var,
               float* invstd, float eps) {
  std::vector<double> sum(c, 0.0), sq(c, 0.0);
  for (size_t r = 0; r < m; r++)
    for (size_t k = 0; k < c; k++) sum[k] += x[r * c + k];
  for (size_t k = 0; k < c; k++) mean[k] = static_cast<float>(sum[k] / m);
  for (size_t r = 0; r < m; r++)
    for (size_t k = 0; k < c; k++) {
      const double d = static_cast<double>(x[r * c + k]) - mean[k];
      sq[k] += d * d;
    }
  for (size_t k = 0; k < c; k++) {
    var[k] = static_cast<float>(sq[k] / m);
    invstd[k] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var[k]) + eps));
  }
  for (size_t r = 0; r < m; r++)
    for (size_t k = 0; k < c; k++) y[r * c + k] = (x[r * c + k] - mean[k]) * invstd[k] * gamma[k] + beta[k];
}

// The gradient, with x̂ = (x − mean)·invstd: dβ = Σ dy, dγ = Σ dy·x̂,
// dx = (dy·γ − mean(dy·γ) − x̂·mean(dy·γ·x̂))·invstd.
void batchNormGrad(size_t m, size_t c, const float* dy, const float* x, const float* mean, const float* invstd, const float* gamma,
                   float* dx, float* dgamma, float* dbeta) {
  std::vector<double> sdy(c, 0.0), sdyx(c, 0.0);
  for (size_t r = 0; r < m; r++)
    for (size_t k = 0; k < c; k++) {
      const size_t i = r * c + k;
      sdy[k] += dy[i];
      sdyx[k] += static_cast<double>(dy[i]) * ((x[i] - mean[k]) * invstd[k]);
    }
  std::vector<float> a(c), b(c);
  for (size_t k = 0; k < c; k++) {
    dbeta[k] = static_cast<float>(sdy[k]);
    dgamma[k] = static_cast<float>(sdyx[k]);
    a[k] = static_cast<float>(gamma[k] * sdy[k] / m);   // mean(dy·γ)
    b[k] = static_cast<float>(gamma[k] * sdyx[k] / m);  // mean(dy·γ·x̂)
  }
  for (size_t r = 0; r < m; r++)
    for (size_t k = 0; k < c; k++) {
      const size_t i = r * c + k;
      const float xhat = (x[i] - mean[k]) * invstd[k];
      dx[i] = (dy[i] * gamma[k] - a[k] - xhat * b[k]) * invstd[k];
    }
}

// Reads `count` Float32Array arguments and checks each length against `lengths`: M·C for the full-size tensors,
// C for the per-channel ones, with C the length of args[channelArg] and M·C the length of args[0].
bool batchNormArgs(napi_env env, napi_value* args, size_t count, size_t channelArg, const bool* fullSize, float** data, size_t* m,
                   size_t* c) {
  size_t total, channels;
  if (!typedArg(env, args[0], napi_float32_array, &data[0], &total) ||
      !typedArg(env, args[channelArg], napi_float32_array, &data[channelArg], &channels))
    return false;
  if (channels == 0 || total % channels != 0) {
    napi_throw_range_error(env, nullptr, "ungreedy native batch norm: the input must hold whole rows of the channel count");
    return false;
  }
  for (size_t k = 1; k < count; k++) {
    size_t n;
    if (!typedArg(env, args[k], napi_float32_array, &data[k], &n) ||
        !checkLength(env, "batch-norm tensor", n, static_cast<int64_t>(fullSize[k] ? total : channels)))
      return false;
  }
  *m = total / channels;
  *c = channels;
  return true;
}

// batchNorm(x, gamma, beta, y, mean, variance, invstd, eps)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value args[8];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  double eps;
  if (argc != 8 || napi_get_value_double(env, args[7], &eps) != napi_ok) {
    napi_throw_type_error(env, nullptr, "batchNorm(x, gamma, beta, y, mean, variance, invstd, eps: number) expected");
    return nullptr;
  }
  const bool full[7] = {true, false, false, true, false, false, false};
  float* a[7];
  size_t m, c;
  if (!batchNormArgs(env, args, 7, 1, full, a, &m, &c)) return nullptr;
  batchNorm(m, c, a[0], a[1], a[2], a[3], a[4], a[5], a[6], static_cast<float>(eps));
  return nullptr;
}

// batchNormGrad(dy, x, mean, invstd, gamma, dx, dgamma, dbeta)
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value args[8];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 8) {
    napi_throw_type_error(env, nullptr, "batchNormGrad(dy, x, mean, invstd, gamma, dx, dgamma, dbeta) expected");
    return nullptr;
  }
  const bool full[8] = {true, true, false, false, false, true, false, false};
  float* a[8];
  size_t m, c;
  if (!batchNormArgs(env, args, 8, 2, full, a, &m, &c)) return nullptr;
  batchNormGrad(m, c, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  return nullptr;
}

napi_value SumOfSquares(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  float* x;
  size_t n;
  if (argc != 1) {
    napi_throw_type_error(env, nullptr, "sumOfSquares(x: Float32Array) expected");
    return nullptr;
  }
  if (!typedArg(env, arg, napi_float32_array, &x, &n)) return nullptr;
  const double sum = blockSum(n, [&](size_t begin, size_t end) {
    double sq = 0.0;
    for (size_t i = begin; i < end; i++) sq += static_cast<double>(x[i]) * x[i];
    return sq;
  });
  napi_value out;
  napi_create_double(env, sum, &out);
  return out;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  char text[64];
  std::snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  const std::pair<const char*, napi_callback> fns[] = {{"conv2d", Conv2d},
                                                         {"maxPoolGrad", MaxPoolGrad},
                                                         {"adamStep", AdamStep},
                                                         {"sgdStep", SgdStep},
                                                         {"batchNorm", BatchNorm},
                                                         {"batchNormGrad", BatchNormGrad},
                                                         {"sumOfSquares", SumOfSquares},
                                                         {"oneDnnVersion", Version}};
  for (const auto& [name, fn] : fns) {
    napi_value f;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
    napi_set_named_property(env, exports, name, f);
  }
  return exports;
}
