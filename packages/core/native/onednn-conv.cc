// Native 2-D convolution kernels for the wasm backend, on oneDNN (the library PyTorch's CPU build uses).
//
// TensorFlow.js's wasm backend runs XNNPACK on one thread with 128-bit SIMD; oneDNN runs JIT AVX2/AVX-512 code
// on every core (OpenMP). The tensors stay where they are: the JavaScript side passes the wasm heap's
// ArrayBuffer and byte offsets into it, so nothing is copied. The heap cannot move during a call: no wasm code
// runs while a kernel runs, and every output was allocated beforehand.
//
// One entry point, run(op, heap, params):
//   op 0 forward:          a = x (NHWC),  b = filter (HWIO), c = y (NHWC, written)
//   op 1 backward data:    a = dy (NHWC), b = filter (HWIO), c = dx (NHWC, written)
//   op 2 backward weights: a = x (NHWC),  b = dy (NHWC),     c = dW (HWIO, written)
//   params (Float64Array): [aOffset, bOffset, cOffset, n, h, w, ci, ho, wo, co, kh, kw, sh, sw, dh, dw,
//                           padTop, padLeft, padBottom, padRight]  (dh, dw: dilation, 1 = none)
// Primitive descriptors are cached per shape (a training run repeats a handful of shapes).
#include <node_api.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>

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
};

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
  if (op == 0 && !p->forwardPrim) p->forwardPrim = std::make_unique<dnnl::convolution_forward>(p->forward);
  if (op == 1 && !p->dataPrim) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, srcDesc(c), anyWeights(c), dstDesc(c), strides,
                                            dilates, padL, padR);
    p->data = dnnl::convolution_backward_data::primitive_desc(d, cpuEngine(), p->forward);
    p->dataPrim = std::make_unique<dnnl::convolution_backward_data>(p->data);
  }
  if (op == 2 && !p->weightsPrim) {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, srcDesc(c), anyWeights(c), dstDesc(c),
                                               strides, dilates, padL, padR);
    p->weights = dnnl::convolution_backward_weights::primitive_desc(d, cpuEngine(), p->forward);
    p->weightsPrim = std::make_unique<dnnl::convolution_backward_weights>(p->weights);
  }
  return *p;
}

// The filter in the layout `want`: the HWIO memory itself when they agree, else a reordered copy.
memory filterAs(const memory::desc& want, const Conv& c, float* hwio) {
  memory user(hwioDesc(c), cpuEngine(), hwio);
  if (want == user.get_desc()) return user;
  memory m(want, cpuEngine());
  dnnl::reorder(user, m).execute(cpuStream(), user, m);
  return m;
}

void runConv(int op, char* heap, const double* p) {
  float* a = reinterpret_cast<float*>(heap + static_cast<size_t>(p[0]));
  float* b = reinterpret_cast<float*>(heap + static_cast<size_t>(p[1]));
  float* out = reinterpret_cast<float*>(heap + static_cast<size_t>(p[2]));
  const Conv c{(int64_t)p[3],  (int64_t)p[4],  (int64_t)p[5],  (int64_t)p[6],  (int64_t)p[7],  (int64_t)p[8],
               (int64_t)p[9],  (int64_t)p[10], (int64_t)p[11], (int64_t)p[12], (int64_t)p[13], (int64_t)p[14],
               (int64_t)p[15], (int64_t)p[16], (int64_t)p[17], (int64_t)p[18], (int64_t)p[19]};
  Plan& plan = planFor(c, op);
  dnnl::stream& s = cpuStream();
  if (op == 0) {
    memory x(srcDesc(c), cpuEngine(), a), y(dstDesc(c), cpuEngine(), out);
    memory f = filterAs(plan.forward.weights_desc(), c, b);
    plan.forwardPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, f}, {DNNL_ARG_DST, y}});
  } else if (op == 1) {
    memory dy(dstDesc(c), cpuEngine(), a), dx(srcDesc(c), cpuEngine(), out);
    memory f = filterAs(plan.data.weights_desc(), c, b);
    plan.dataPrim->execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, f}, {DNNL_ARG_DIFF_SRC, dx}});
  } else {
    memory x(srcDesc(c), cpuEngine(), a), dy(dstDesc(c), cpuEngine(), b), user(hwioDesc(c), cpuEngine(), out);
    const memory::desc want = plan.weights.diff_weights_desc();
    if (want == user.get_desc()) {
      plan.weightsPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, user}});
    } else {
      memory dW(want, cpuEngine());
      plan.weightsPrim->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dW}});
      dnnl::reorder(dW, user).execute(s, dW, user);
    }
  }
  s.wait();
}

napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int32_t op = -1;
  void* heap = nullptr;
  size_t heapBytes = 0;
  napi_typedarray_type type;
  size_t length = 0;
  void* params = nullptr;
  if (argc != 3 || napi_get_value_int32(env, args[0], &op) != napi_ok || op < 0 || op > 2 ||
      napi_get_arraybuffer_info(env, args[1], &heap, &heapBytes) != napi_ok ||
      napi_get_typedarray_info(env, args[2], &type, &length, &params, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array || length != 20) {
    napi_throw_type_error(env, nullptr, "run(op: 0|1|2, heap: ArrayBuffer, params: Float64Array(20)) expected");
    return nullptr;
  }
  try {
    runConv(op, static_cast<char*>(heap), static_cast<const double*>(params));
  } catch (const dnnl::error& e) {
    napi_throw_error(env, "UNG_ONEDNN", e.what());
  } catch (const std::exception& e) {
    napi_throw_error(env, "UNG_ONEDNN", e.what());
  }
  return nullptr;
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
  napi_value run, version;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, nullptr, &run);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, nullptr, &version);
  napi_set_named_property(env, exports, "run", run);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
