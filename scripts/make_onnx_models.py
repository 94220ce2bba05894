#!/usr/bin/python3
"""Builds the ONNX graphs the ONNX importer is tested and benchmarked on (docs/workloads.md).

Uses Debian's python3-onnx (1.12) helper API only; run it with Debian's /usr/bin/python3.

  make_onnx_models.py --out DIR [--set small|large|bench|broken|all]

small   dw_block.onnx (MobileNet-style depthwise-separable block; dw_block_batch4.onnx is the same
        with a fixed batch of 4 instead of a symbolic one) and concat_block.onnx (an
        Inception-style concat of three branches plus a residual add). 28x28x1 inputs and 10 classes,
        float32 weights, a few KB each: committed as tests/fixtures/onnx/.
large   lenet.onnx, alexnet.onnx, resnet34.onnx: the built-in networks' shapes with their layer
        names (tests/workloads/test_onnx.cpp compares them layer by layer).
bench   resnet50.onnx (bottleneck blocks, 4.1 GMACs, 25.5 M weights in float32: 102 MB, the size of
        a real ResNet-50 export): the graph `wrpn bench onnx` times.
        Large and bench graphs have initializers with the real dims (the importer reads weight
        shapes from them), zero-filled (the large ones float16 to halve the size: AlexNet 122 MB,
        ResNet-34 44 MB): they are made at test time into the build tree, never committed.
broken  one file per importer diagnostic (ONNX001..ONNX006), committed as tests/fixtures/onnx/.

Every good graph passes onnx.checker.check_model (full check, shape inference included) before it
is written. The output is deterministic: the same bytes on every run.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


class Graph:
    """Appends nodes while tracking each tensor's (C, H, W), so initializers get the right dims."""

    def __init__(self, name, c, h, w, dtype=np.float32, batch="N", zeros=False):
        self.name = name
        self.dtype = dtype
        self.zeros = zeros
        self.elem = TensorProto.FLOAT16 if dtype == np.float16 else TensorProto.FLOAT
        self.nodes, self.inits = [], []
        self.shape = {"input": (c, h, w)}
        self.batch = batch
        self.inputs = [helper.make_tensor_value_info("input", self.elem, [batch, c, h, w])]
        self.last = "input"
        self.rng = np.random.default_rng(1)

    def _weight(self, name, dims):
        if self.zeros:
            data = np.zeros(dims, dtype=self.dtype)  # shapes matter, values do not
        else:
            data = (self.rng.standard_normal(dims) * 0.1).astype(np.float32)
        self.inits.append(numpy_helper.from_array(data, name))
        return name

    def node(self, op, inputs, name, out_shape, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [name + "_out"], name=name, **attrs))
        self.shape[name + "_out"] = out_shape
        self.last = name + "_out"
        return self.last

    def conv(self, name, k, r, stride=1, pad=0, groups=1, src=None, bn=True, act="Relu", pads=None):
        src = src or self.last
        c, h, w = self.shape[src]
        pads = pads or [pad] * 4
        oh = (h + pads[0] + pads[2] - r) // stride + 1
        ow = (w + pads[1] + pads[3] - r) // stride + 1
        wname = self._weight(name + ".weight", [k, c // groups, r, r])
        out = self.node("Conv", [src, wname], name, (k, oh, ow), kernel_shape=[r, r], strides=[stride, stride],
                        pads=pads, group=groups)
        if bn:
            params = [self._weight(name + ".bn." + p, [k]) for p in ("scale", "bias", "mean", "var")]
            out = self.node("BatchNormalization", [out] + params, name + "_bn", (k, oh, ow))
        if act == "Relu":
            out = self.node("Relu", [out], name + "_relu", (k, oh, ow))
        elif act == "Clip":  # ReLU6, as MobileNet exports it (opset 11+: bounds are inputs)
            lo = self._const(name + ".clip_min", 0.0)
            hi = self._const(name + ".clip_max", 6.0)
            out = self.node("Clip", [out, lo, hi], name + "_relu6", (k, oh, ow))
        return out

    def _const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.array(value, dtype=self.dtype), name))
        return name

    def pool(self, name, op, r, stride, pad=0, src=None):
        src = src or self.last
        c, h, w = self.shape[src]
        o = ((h + 2 * pad - r) // stride + 1, (w + 2 * pad - r) // stride + 1)
        return self.node(op, [src], name, (c, *o), kernel_shape=[r, r], strides=[stride, stride], pads=[pad] * 4)

    def gap(self, name, src=None):
        src = src or self.last
        return self.node("GlobalAveragePool", [src], name, (self.shape[src][0], 1, 1))

    def flatten(self, name, src=None):
        src = src or self.last
        c, h, w = self.shape[src]
        return self.node("Flatten", [src], name, (c * h * w,), axis=1)

    def gemm(self, name, k, src=None):
        src = src or self.last
        features = self.shape[src][0]
        wname = self._weight(name + ".weight", [k, features])
        bname = self._weight(name + ".bias", [k])
        return self.node("Gemm", [src, wname, bname], name, (k,), transB=1)

    def add(self, name, a, b):
        return self.node("Add", [a, b], name, self.shape[a])

    def concat(self, name, parts):
        c = sum(self.shape[p][0] for p in parts)
        _, h, w = self.shape[parts[0]]
        return self.node("Concat", parts, name, (c, h, w), axis=1)

    def model(self, outputs=None, shape=None):
        """The model; `shape` is the (C, H, W) of outputs added by hand (the broken fixtures)."""
        outs = outputs or [self.last]
        for o in outs:
            self.shape.setdefault(o, shape)
        vi = [helper.make_tensor_value_info(o, self.elem, [self.batch] + list(self.shape[o])) for o in outs]
        g = helper.make_graph(self.nodes, self.name, self.inputs, vi, self.inits)
        m = helper.make_model(g, producer_name="wrpn scripts/make_onnx_models.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
        return m


# ------------------------------------------------------------------------------------- networks
def lenet():
    g = Graph("lenet", 1, 28, 28)
    g.conv("conv1", 20, 5, bn=False)
    g.pool("pool1", "MaxPool", 2, 2)
    g.conv("conv2", 50, 5, bn=False)
    g.pool("pool2", "MaxPool", 2, 2)
    g.flatten("flatten")
    g.gemm("fc1", 500)
    g.node("Relu", [g.last], "fc1_relu", g.shape[g.last])
    g.gemm("fc2", 10)
    g.node("Softmax", [g.last], "prob", g.shape[g.last], axis=1)
    return g.model()


def alexnet():
    # The built-in one-tower AlexNet (workloads/builtin_networks.cpp) with its layer names.
    g = Graph("alexnet", 3, 224, 224, np.float16, zeros=True)
    g.conv("conv1", 64, 11, 4, 2, bn=False)
    g.pool("pool1", "MaxPool", 3, 2)
    g.conv("conv2", 192, 5, 1, 2, bn=False)
    g.pool("pool2", "MaxPool", 3, 2)
    g.conv("conv3", 384, 3, 1, 1, bn=False)
    g.conv("conv4", 256, 3, 1, 1, bn=False)
    g.conv("conv5", 256, 3, 1, 1, bn=False)
    g.pool("pool5", "MaxPool", 3, 2)
    g.flatten("flatten")
    for name, k in (("fc6", 4096), ("fc7", 4096)):
        g.node("Dropout", [g.last], name + "_drop", g.shape[g.last])
        g.gemm(name, k)
        g.node("Relu", [g.last], name + "_relu", g.shape[g.last])
    g.gemm("fc8", 1000)
    return g.model()


def resnet(name, blocks, bottleneck, dtype=np.float16):
    # The built-in resnet34 (basic blocks) and a ResNet-50 (bottleneck blocks, stride on the 3x3 as
    # torchvision does), with the built-in layer names; batch norms folded, projection shortcuts.
    g = Graph(name, 3, 224, 224, dtype, zeros=True)
    g.conv("conv1", 64, 7, 2, 3)
    g.pool("pool1", "MaxPool", 3, 2, 1)
    for stage, n in enumerate(blocks):
        k = 64 << stage
        out_k = k * 4 if bottleneck else k
        for j in range(n):
            p = "layer%d_%d" % (stage + 1, j)
            block_in = g.last
            stride = 2 if (j == 0 and stage > 0) else 1
            if bottleneck:
                g.conv(p + "_conv1", k, 1)
                g.conv(p + "_conv2", k, 3, stride, 1)
                main = g.conv(p + "_conv3", out_k, 1, act=None)
            else:
                g.conv(p + "_conv1", k, 3, stride, 1)
                main = g.conv(p + "_conv2", k, 3, 1, 1, act=None)
            shortcut = block_in
            if stride != 1 or g.shape[block_in][0] != out_k:
                shortcut = g.conv(p + "_down", out_k, 1, stride, 0, src=block_in, act=None)
            g.add(p + "_add", main, shortcut)
            g.node("Relu", [g.last], p + "_relu", g.shape[g.last])
    g.gap("avgpool")
    g.flatten("flatten")
    g.gemm("fc", 1000)
    return g.model()


def dw_block(batch="N"):
    # MobileNet-style: a 3x3 stem, a depthwise 3x3 stride 2 with TF "SAME" padding (asymmetric:
    # 0 top/left, 1 bottom/right), ReLU6, a pointwise 1x1, then global pool and a classifier.
    # The batch dimension is symbolic ("N"), or fixed when `batch` is a number.
    g = Graph("dw_block", 1, 28, 28, batch=batch)
    g.conv("stem", 16, 3, 1, 1)
    g.conv("dw", 16, 3, 2, groups=16, pads=[0, 0, 1, 1], act="Clip")
    g.conv("pw", 32, 1, act="Clip")
    g.conv("dw2", 32, 3, 1, 1, groups=32, act="Clip")
    g.conv("pw2", 32, 1, act=None)
    g.add("res", g.last, "pw_relu6_out")
    g.gap("gap")
    g.flatten("flatten")
    g.gemm("fc", 10)
    return g.model()


def concat_block():
    # Inception-style: three branches joined by Concat, then a 1x1 and a residual Add; a Reshape and
    # a MatMul + bias Add classifier (how Keras and TF exporters write fc layers).
    g = Graph("concat_block", 1, 28, 28)
    g.conv("stem", 16, 3, 1, 1)
    stem = g.pool("pool1", "MaxPool", 2, 2)
    a = g.conv("b1_1x1", 8, 1, src=stem)
    g.conv("b2_reduce", 8, 1, src=stem)
    b = g.conv("b2_3x3", 8, 3, 1, 1)
    c = g.pool("b3_pool", "AveragePool", 3, 1, 1, src=stem)
    cat = g.concat("concat", [a, b, c])
    g.conv("mix", 32, 1, src=cat, act=None)
    g.add("res", g.last, cat)
    g.pool("pool2", "MaxPool", 2, 2)
    # Flatten as a Reshape to [-1, 1568] whose shape is a Constant node (how tf2onnx writes it).
    shape = helper.make_tensor("reshape.shape", TensorProto.INT64, [2], [-1, 32 * 7 * 7])
    g.nodes.append(helper.make_node("Constant", [], ["reshape_shape"], name="reshape_shape", value=shape))
    g.node("Reshape", [g.last, "reshape_shape"], "reshape", (32 * 7 * 7,))
    g.node("Identity", [g.last], "identity", (32 * 7 * 7,))
    w = g._weight("fc.weight", [32 * 7 * 7, 10])
    bias = g._weight("fc.bias", [10])
    g.node("MatMul", [g.last, w], "fc", (10,))
    g.node("Add", [g.last, bias], "fc_bias", (10,))
    g.node("Softmax", [g.last], "prob", (10,), axis=1)
    return g.model()


# ------------------------------------------------------------------------------ broken fixtures
def broken():
    """name -> bytes; each file exercises one importer diagnostic (docs/diagnostics.md)."""
    good = dw_block().SerializeToString()
    out = {"ONNX001_truncated_bad.onnx": good[: len(good) // 2]}

    m = dw_block()  # a Conv weight that no initializer, input or node provides
    m.graph.node[0].input[1] = "stem.weight_missing"
    out["ONNX002_missing_initializer_bad.onnx"] = m.SerializeToString()

    g = Graph("cyclic", 1, 28, 28)  # a <- b <- a: no topological order exists
    w = g._weight("w", [1, 1, 1, 1])
    g.nodes.append(helper.make_node("Add", ["input", "b_out"], ["a_out"], name="a"))
    g.nodes.append(helper.make_node("Conv", ["a_out", w], ["b_out"], name="b"))
    out["ONNX002_cyclic_bad.onnx"] = g.model(["b_out"], (1, 28, 28)).SerializeToString()

    g = Graph("wrong_rank", 1, 28, 28)  # a rank-3 weight for a rank-4 input
    w = g._weight("w", [4, 1, 3])
    g.nodes.append(helper.make_node("Conv", ["input", w], ["y"], name="conv1"))
    out["ONNX003_wrong_rank_bad.onnx"] = g.model(["y"], (8, 26, 26)).SerializeToString()

    g = Graph("zero_stride", 1, 28, 28)  # libonnx's shape inference would divide by the zero stride
    w = g._weight("conv1.weight", [8, 1, 3, 3])
    g.nodes.append(helper.make_node("Conv", ["input", w], ["y"], name="conv1", strides=[0, 1]))
    out["ONNX003_zero_stride_bad.onnx"] = g.model(["y"], (8, 26, 26)).SerializeToString()

    g = Graph("unsupported", 1, 28, 28)
    g.conv("conv1", 8, 3, 1, 1, bn=False, act=None)
    g.node("LeakyRelu", [g.last], "lrelu1", g.shape[g.last], alpha=0.1)
    out["ONNX004_bad.onnx"] = g.model().SerializeToString()

    g = Graph("foreign_domain", 1, 28, 28)  # an onnxruntime contrib operator
    w = g._weight("conv1.weight", [8, 1, 3, 3])
    g.nodes.append(helper.make_node("FusedConv", ["input", w], ["y"], name="conv1", domain="com.microsoft",
                                    activation="Relu"))
    out["ONNX004_domain_bad.onnx"] = g.model(["y"], (8, 26, 26)).SerializeToString()

    g = Graph("dilated", 1, 28, 28)
    w = g._weight("conv1.weight", [8, 1, 3, 3])
    g.nodes.append(helper.make_node("Conv", ["input", w], ["y"], name="conv1", dilations=[2, 2]))
    out["ONNX005_dilation_bad.onnx"] = g.model(["y"], (8, 24, 24)).SerializeToString()

    g = Graph("pads", 1, 28, 28)  # an Inception-v3 1x7 conv: pad 0 in height, 3 in width
    w = g._weight("conv1x7.weight", [8, 1, 1, 7])
    g.nodes.append(helper.make_node("Conv", ["input", w], ["y"], name="conv1x7", pads=[0, 3, 0, 3]))
    out["ONNX005_pads_bad.onnx"] = g.model(["y"], (8, 28, 28)).SerializeToString()

    g = Graph("runtime_weight", 1, 28, 28)  # the weight is a graph input, not a constant
    g.inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 1, 3, 3]))
    g.nodes.append(helper.make_node("Conv", ["input", "w"], ["y"], name="conv1"))
    out["ONNX006_bad.onnx"] = g.model(["y"], (8, 26, 26)).SerializeToString()
    return out


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--set", choices=["small", "large", "bench", "broken", "all"], default="all")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sets = {
        "small": [("dw_block", dw_block), ("dw_block_batch4", lambda: dw_block(4)), ("concat_block", concat_block)],
        "large": [("lenet", lenet), ("alexnet", alexnet), ("resnet34", lambda: resnet("resnet34", [3, 4, 6, 3], False))],
        "bench": [("resnet50", lambda: resnet("resnet50", [3, 4, 6, 3], True, np.float32))],
    }
    chosen = ["small", "large", "bench", "broken"] if a.set == "all" else [a.set]
    for s in chosen:
        if s == "broken":
            for name, data in broken().items():
                write(os.path.join(a.out, name), data)
            continue
        for name, make in sets[s]:
            m = make()
            onnx.checker.check_model(m, full_check=True)
            path = os.path.join(a.out, name + ".onnx")
            write(path, m.SerializeToString())
            print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
